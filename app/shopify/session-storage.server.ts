// One Session table for eight apps: each app's sessions are stored under "<method>:<id>" so two
// apps installed on the same shop never read each other's tokens. Access and refresh tokens are
// sealed with ENCRYPTION_KEY like the ECPay keys: a copy of the database gives no API access.
import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import type { PrismaClient } from "@prisma/client";
import type { SecretBox, SecretContext } from "../lib/secrets.server";
import type { MethodHandle } from "../payments/methods";

export class NamespacedSessionStorage implements SessionStorage {
  private readonly prefix: string;

  constructor(
    private readonly inner: SessionStorage,
    readonly method: MethodHandle,
    private readonly box: SecretBox,
  ) {
    this.prefix = `${method}:`;
  }

  private wrap(session: Session): Session {
    const params = session.toObject();
    const id = this.prefix + session.id;
    return new Session({
      ...params,
      id,
      ...(params.accessToken ? { accessToken: this.box.seal(params.accessToken, sessionTokenContext(id, "accessToken")) } : {}),
      ...(params.refreshToken ? { refreshToken: this.box.seal(params.refreshToken, sessionTokenContext(id, "refreshToken")) } : {}),
    });
  }

  /** `session` as stored: its id is the namespaced one the tokens were sealed for. */
  private unwrap(session: Session): Session {
    const params = session.toObject();
    return new Session({
      ...params,
      id: session.id.slice(this.prefix.length),
      ...(params.accessToken ? { accessToken: openToken(this.box, params.accessToken, sessionTokenContext(session.id, "accessToken")) } : {}),
      ...(params.refreshToken ? { refreshToken: openToken(this.box, params.refreshToken, sessionTokenContext(session.id, "refreshToken")) } : {}),
    });
  }

  storeSession(session: Session): Promise<boolean> {
    return this.inner.storeSession(this.wrap(session));
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const session = await this.inner.loadSession(this.prefix + id);
    return session ? this.unwrap(session) : undefined;
  }

  deleteSession(id: string): Promise<boolean> {
    return this.inner.deleteSession(this.prefix + id);
  }

  deleteSessions(ids: string[]): Promise<boolean> {
    return this.inner.deleteSessions(ids.map((id) => this.prefix + id));
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    const sessions = await this.inner.findSessionsByShop(shop);
    return sessions.filter((s) => s.id.startsWith(this.prefix)).map((s) => this.unwrap(s));
  }
}

/** A token opens only in its own row (the stored, namespaced session id) and column. */
export function sessionTokenContext(storedId: string, field: "accessToken" | "refreshToken"): SecretContext {
  return { purpose: "shopify-session", sessionId: storedId, field };
}

/** A sealed token, or (rows written before tokens were sealed) the plaintext until rotate-keys re-seals it. */
export function openToken(box: SecretBox, stored: string, context: SecretContext): string {
  return box.isSealed(stored) ? box.open(stored, context) : stored;
}

export function createSessionStorage(prisma: PrismaClient, method: MethodHandle, box: SecretBox): NamespacedSessionStorage {
  return new NamespacedSessionStorage(new PrismaSessionStorage(prisma, { connectionRetries: 2 }), method, box);
}
