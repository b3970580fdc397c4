import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import type { HandlerFn } from '../processor';
import { AgentRuntime, type AgentFailure, type AgentRuntimeDeps } from '../runtime';
import type { AgentContext } from '../types';

/**
 * The Nest side of an agent, and nothing more: `@EventPattern('<topic>')` handlers become the runtime's
 * handlers (through Nest's pipes and filters), and Nest's listen/close start and stop the runtime.
 */
export class ExactlyOnceServer extends Server implements CustomTransportStrategy {
  readonly runtime: AgentRuntime;
  private readonly handlers = new Map<string, HandlerFn | undefined>();

  constructor(deps: AgentRuntimeDeps) {
    super();
    this.runtime = new AgentRuntime(deps, { topics: () => [...this.messageHandlers.keys()], handlerFor: (t) => this.handlerFor(t) });
  }

  get ready(): boolean {
    return this.runtime.ready;
  }

  get failed(): AgentFailure | undefined {
    return this.runtime.failed;
  }

  get reconnecting(): boolean {
    return this.runtime.reconnecting;
  }

  get rememberedIds(): number {
    return this.runtime.rememberedIds;
  }

  /** Looked up once per topic: Nest's lookup parses the pattern as JSON and throws on plain names. */
  private handlerFor(topic: string): HandlerFn | undefined {
    if (this.handlers.has(topic)) return this.handlers.get(topic);
    const handler = this.getHandlerByPattern(topic);
    const fn: HandlerFn | undefined = handler
      ? async (data: unknown, ctx: AgentContext) => {
          // Nest wraps handlers (pipes, filters); a failure comes back as an erroring Observable.
          await lastValueFrom(this.transformToObservable(await handler(data, ctx)), { defaultValue: undefined });
        }
      : undefined;
    this.handlers.set(topic, fn);
    return fn;
  }

  listen(callback: (err?: unknown) => void): void {
    this.runtime.start().then(() => callback(), callback);
  }

  on(): void {
    throw new Error('ExactlyOnceServer emits no events');
  }

  unwrap<T>(): T {
    return this.runtime.kafkaConsumer as T;
  }

  async close(): Promise<void> {
    await this.runtime.close();
  }
}
