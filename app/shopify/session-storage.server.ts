// One Session table for eight apps: each app's sessions are stored under "<method>:<id>" so two
// apps installed on the same shop never read each other's tokens.
import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import type { PrismaClient } from "@prisma/client";
import type { MethodHandle } from "../payments/methods";

export class NamespacedSessionStorage implements SessionStorage {
  private readonly prefix: string;

  constructor(
    private readonly inner: SessionStorage,
    readonly method: MethodHandle,
  ) {
    this.prefix = `${method}:`;
  }

  private wrap(session: Session): Session {
    return new Session({ ...session.toObject(), id: this.prefix + session.id });
  }

  private unwrap(session: Session): Session {
    return new Session({ ...session.toObject(), id: session.id.slice(this.prefix.length) });
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

export function createSessionStorage(prisma: PrismaClient, method: MethodHandle): NamespacedSessionStorage {
  return new NamespacedSessionStorage(new PrismaSessionStorage(prisma, { connectionRetries: 2 }), method);
}
