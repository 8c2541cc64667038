// A deliberately small GraphQL engine for the Payments Apps mutations: parse one operation,
// validate its selection against a schema subset (so a client selecting a field Shopify does not
// have fails here as it would at Shopify), and project resolver results onto the selection.

export type GqlValue = null | boolean | number | string | GqlValue[] | { [key: string]: GqlValue };

type ValueNode =
  | { kind: "variable"; name: string }
  | { kind: "literal"; value: GqlValue }
  | { kind: "list"; items: ValueNode[] }
  | { kind: "object"; fields: Record<string, ValueNode> };

export type Selection =
  | { kind: "field"; alias: string; name: string; args: Record<string, ValueNode>; selections: Selection[] | null }
  | { kind: "fragment"; typeCondition: string | null; selections: Selection[] };

export interface Operation {
  type: "query" | "mutation";
  name: string | null;
  variableDefinitions: Record<string, { type: string; defaultValue: GqlValue | undefined }>;
  selections: Selection[];
}

export class GraphqlError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

// ---------- lexer ----------
type Token = { kind: "punct" | "name" | "string" | "number" | "spread"; value: string };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (/[\s,\uFEFF]/.test(ch)) {
      i++;
    } else if (ch === "#") {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (source.startsWith("...", i)) {
      tokens.push({ kind: "spread", value: "..." });
      i += 3;
    } else if ("{}():$!=[]@".includes(ch)) {
      tokens.push({ kind: "punct", value: ch });
      i++;
    } else if (/[A-Za-z_]/.test(ch)) {
      const start = i;
      while (i < source.length && /[A-Za-z0-9_]/.test(source[i]!)) i++;
      tokens.push({ kind: "name", value: source.slice(start, i) });
    } else if (/[-0-9]/.test(ch)) {
      const start = i;
      i++;
      while (i < source.length && /[0-9.eE+-]/.test(source[i]!)) i++;
      tokens.push({ kind: "number", value: source.slice(start, i) });
    } else if (ch === '"') {
      let j = i + 1;
      let out = "";
      while (j < source.length && source[j] !== '"') {
        if (source[j] === "\\") {
          const next = source[j + 1];
          if (next === "u") {
            out += String.fromCharCode(parseInt(source.slice(j + 2, j + 6), 16));
            j += 6;
            continue;
          }
          out += ({ n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" } as Record<string, string>)[next ?? ""] ?? next ?? "";
          j += 2;
          continue;
        }
        out += source[j];
        j++;
      }
      if (j >= source.length) throw new GraphqlError("Unterminated string", "parseError");
      tokens.push({ kind: "string", value: out });
      i = j + 1;
    } else {
      throw new GraphqlError(`Unexpected character "${ch}"`, "parseError");
    }
  }
  return tokens;
}

// ---------- parser ----------
class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
  private next(): Token {
    const token = this.tokens[this.pos++];
    if (!token) throw new GraphqlError("Unexpected end of document", "parseError");
    return token;
  }
  private expect(value: string): void {
    const token = this.next();
    if (token.value !== value || token.kind === "string") {
      throw new GraphqlError(`Expected "${value}", found "${token.value}"`, "parseError");
    }
  }
  private isPunct(value: string): boolean {
    const token = this.peek();
    return token?.kind === "punct" && token.value === value;
  }
  private name(): string {
    const token = this.next();
    if (token.kind !== "name") throw new GraphqlError(`Expected a name, found "${token.value}"`, "parseError");
    return token.value;
  }

  document(): Operation[] {
    const operations: Operation[] = [];
    while (this.peek()) operations.push(this.operation());
    return operations;
  }

  private operation(): Operation {
    if (this.isPunct("{")) return { type: "query", name: null, variableDefinitions: {}, selections: this.selectionSet() };
    const keyword = this.name();
    if (keyword !== "query" && keyword !== "mutation") {
      throw new GraphqlError(`Unsupported definition "${keyword}"`, "parseError");
    }
    const name = this.peek()?.kind === "name" ? this.name() : null;
    const variableDefinitions: Operation["variableDefinitions"] = {};
    if (this.isPunct("(")) {
      this.expect("(");
      while (!this.isPunct(")")) {
        this.expect("$");
        const variable = this.name();
        this.expect(":");
        const type = this.typeRef();
        let defaultValue: GqlValue | undefined;
        if (this.isPunct("=")) {
          this.expect("=");
          defaultValue = evaluate(this.value(true), {});
        }
        variableDefinitions[variable] = { type, defaultValue };
      }
      this.expect(")");
    }
    this.directives();
    return { type: keyword, name, variableDefinitions, selections: this.selectionSet() };
  }

  private typeRef(): string {
    let type: string;
    if (this.isPunct("[")) {
      this.expect("[");
      type = `[${this.typeRef()}]`;
      this.expect("]");
    } else {
      type = this.name();
    }
    if (this.isPunct("!")) {
      this.expect("!");
      type += "!";
    }
    return type;
  }

  private directives(): void {
    while (this.isPunct("@")) {
      this.expect("@");
      this.name();
      if (this.isPunct("(")) this.args();
    }
  }

  private selectionSet(): Selection[] {
    this.expect("{");
    const selections: Selection[] = [];
    while (!this.isPunct("}")) selections.push(this.selection());
    this.expect("}");
    if (selections.length === 0) throw new GraphqlError("Empty selection set", "parseError");
    return selections;
  }

  private selection(): Selection {
    if (this.peek()?.kind === "spread") {
      this.next();
      let typeCondition: string | null = null;
      if (this.peek()?.value === "on") {
        this.next();
        typeCondition = this.name();
      } else if (this.peek()?.kind === "name") {
        throw new GraphqlError("Named fragments are not supported by the simulator", "parseError");
      }
      this.directives();
      return { kind: "fragment", typeCondition, selections: this.selectionSet() };
    }
    let alias = this.name();
    let name = alias;
    if (this.isPunct(":")) {
      this.expect(":");
      name = this.name();
    }
    const args = this.isPunct("(") ? this.args() : {};
    this.directives();
    const selections = this.isPunct("{") ? this.selectionSet() : null;
    if (alias === name) alias = name;
    return { kind: "field", alias, name, args, selections };
  }

  private args(): Record<string, ValueNode> {
    this.expect("(");
    const args: Record<string, ValueNode> = {};
    while (!this.isPunct(")")) {
      const name = this.name();
      this.expect(":");
      args[name] = this.value(false);
    }
    this.expect(")");
    return args;
  }

  private value(constant: boolean): ValueNode {
    const token = this.next();
    if (token.kind === "punct" && token.value === "$") {
      if (constant) throw new GraphqlError("Variables are not allowed here", "parseError");
      return { kind: "variable", name: this.name() };
    }
    if (token.kind === "punct" && token.value === "[") {
      const items: ValueNode[] = [];
      while (!this.isPunct("]")) items.push(this.value(constant));
      this.expect("]");
      return { kind: "list", items };
    }
    if (token.kind === "punct" && token.value === "{") {
      const fields: Record<string, ValueNode> = {};
      while (!this.isPunct("}")) {
        const name = this.name();
        this.expect(":");
        fields[name] = this.value(constant);
      }
      this.expect("}");
      return { kind: "object", fields };
    }
    if (token.kind === "string") return { kind: "literal", value: token.value };
    if (token.kind === "number") return { kind: "literal", value: Number(token.value) };
    if (token.kind === "name") {
      if (token.value === "true") return { kind: "literal", value: true };
      if (token.value === "false") return { kind: "literal", value: false };
      if (token.value === "null") return { kind: "literal", value: null };
      return { kind: "literal", value: token.value }; // enum value
    }
    throw new GraphqlError(`Unexpected "${token.value}"`, "parseError");
  }
}

export function parseOperation(source: string, operationName?: string | null): Operation {
  const operations = new Parser(tokenize(source)).document();
  if (operations.length === 0) throw new GraphqlError("No operation in the document", "parseError");
  if (operationName) {
    const found = operations.find((op) => op.name === operationName);
    if (!found) throw new GraphqlError(`No operation named "${operationName}"`, "parseError");
    return found;
  }
  if (operations.length > 1) throw new GraphqlError("An operationName is required with several operations", "parseError");
  return operations[0]!;
}

function evaluate(node: ValueNode, variables: Record<string, GqlValue>): GqlValue {
  switch (node.kind) {
    case "variable":
      return variables[node.name] ?? null;
    case "literal":
      return node.value;
    case "list":
      return node.items.map((item) => evaluate(item, variables));
    case "object":
      return Object.fromEntries(Object.entries(node.fields).map(([k, v]) => [k, evaluate(v, variables)]));
  }
}

/** Arguments of a top-level field with variables substituted; undefined variables fail like Shopify. */
export function resolveArguments(
  operation: Operation,
  field: Extract<Selection, { kind: "field" }>,
  variables: Record<string, unknown>,
): Record<string, GqlValue> {
  const values: Record<string, GqlValue> = {};
  for (const [name, definition] of Object.entries(operation.variableDefinitions)) {
    const provided = variables[name];
    if (provided === undefined || provided === null) {
      if (definition.defaultValue !== undefined) values[name] = definition.defaultValue;
      else if (definition.type.endsWith("!")) {
        throw new GraphqlError(`Variable $${name} of type ${definition.type} was provided invalid value`, "INVALID_VARIABLE");
      } else values[name] = null;
    } else {
      values[name] = provided as GqlValue;
    }
  }
  const undeclared = Object.values(field.args).flatMap(function collect(node): string[] {
    if (node.kind === "variable") return operation.variableDefinitions[node.name] ? [] : [node.name];
    if (node.kind === "list") return node.items.flatMap(collect);
    if (node.kind === "object") return Object.values(node.fields).flatMap(collect);
    return [];
  });
  if (undeclared.length > 0) {
    throw new GraphqlError(`Variable $${undeclared[0]} is used by ${operation.name ?? "anonymous"} but not declared`, "variableNotDefined");
  }
  return Object.fromEntries(Object.entries(field.args).map(([k, v]) => [k, evaluate(v, values)]));
}

// ---------- schema subset and projection ----------

/** Object types: field name → type name (lists are not needed by these payloads except userErrors). */
export interface MiniSchema {
  objects: Record<string, Record<string, string>>;
  /** Union name → member object types. */
  unions: Record<string, string[]>;
}

function bareType(type: string): string {
  return type.replace(/[[\]!]/g, "");
}

function isAbstract(schema: MiniSchema, type: string): boolean {
  return type in schema.unions;
}

function possibleTypes(schema: MiniSchema, type: string): string[] {
  return schema.unions[type] ?? [type];
}

/** Validate a selection set against a type; returns the list of problems (empty when valid). */
export function validateSelections(schema: MiniSchema, type: string, selections: Selection[], path: string): string[] {
  const problems: string[] = [];
  for (const selection of selections) {
    if (selection.kind === "fragment") {
      const condition = selection.typeCondition ?? type;
      const allowed = possibleTypes(schema, type);
      const candidates = possibleTypes(schema, condition);
      if (!candidates.some((candidate) => allowed.includes(candidate))) {
        problems.push(`Fragment on ${condition} can't be spread inside ${type}`);
        continue;
      }
      if (!(condition in schema.objects) && !(condition in schema.unions)) {
        problems.push(`No such type ${condition}, so it can't be a fragment condition`);
        continue;
      }
      problems.push(...validateSelections(schema, condition, selection.selections, path));
      continue;
    }
    if (selection.name === "__typename") continue;
    if (isAbstract(schema, type)) {
      problems.push(`Selections can't be made directly on unions (see selections on ${type})`);
      continue;
    }
    const fields = schema.objects[type];
    const fieldType = fields?.[selection.name];
    if (!fieldType) {
      problems.push(`Field '${selection.name}' doesn't exist on type '${type}'`);
      continue;
    }
    const target = bareType(fieldType);
    const composite = target in schema.objects || target in schema.unions;
    if (composite && !selection.selections) {
      problems.push(`Field must have selections (field '${selection.name}' returns ${target} but has no selections)`);
    } else if (!composite && selection.selections) {
      problems.push(`Selections can't be made on scalars (field '${selection.name}' returns ${target})`);
    } else if (selection.selections) {
      problems.push(...validateSelections(schema, target, selection.selections, `${path}.${selection.name}`));
    }
  }
  return problems;
}

/** Resolver results are plain objects; union members carry `__typename` so fragments can match. */
export function project(schema: MiniSchema, type: string, value: unknown, selections: Selection[]): GqlValue {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map((item) => project(schema, type, item, selections));
  const record = value as Record<string, unknown>;
  const runtimeType = typeof record.__typename === "string" ? record.__typename : type;
  const out: Record<string, GqlValue> = {};
  for (const selection of selections) {
    if (selection.kind === "fragment") {
      const condition = selection.typeCondition ?? runtimeType;
      if (possibleTypes(schema, condition).includes(runtimeType)) {
        Object.assign(out, project(schema, runtimeType, record, selection.selections));
      }
      continue;
    }
    if (selection.name === "__typename") {
      out[selection.alias] = runtimeType;
      continue;
    }
    const fieldType = bareType(schema.objects[runtimeType]?.[selection.name] ?? "String");
    const fieldValue = record[selection.name];
    out[selection.alias] = selection.selections
      ? project(schema, fieldType, fieldValue, selection.selections)
      : ((fieldValue ?? null) as GqlValue);
  }
  return out;
}
