/**
 * The heap a child process keeps, read through its inspector: a full collection first, then the heap in
 * use. A child started with `--inspect=127.0.0.1:<port>` (see `spawnApp`'s node arguments) answers it.
 * This is how a soak judges retained memory in other processes: their heap without a forced collection
 * also carries garbage that V8 collects late, and that garbage comes and goes with the machine's load.
 */
export class InspectedHeap {
  private socket?: WebSocket;
  private closed = false;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly port: number) {}

  private async connect(): Promise<WebSocket> {
    if (this.closed) throw new Error('closed');
    if (this.socket?.readyState === WebSocket.OPEN) return this.socket;
    const targets = (await (await fetch(`http://127.0.0.1:${this.port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
    const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('error', () => reject(new Error(`inspector on port ${this.port} refused the connection`)), { once: true });
    });
    socket.addEventListener('message', (m) => {
      const reply = JSON.parse(String(m.data)) as { id?: number; result?: unknown; error?: { message: string } };
      if (reply.id === undefined) return;
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.error) waiter.reject(new Error(reply.error.message));
      else waiter.resolve(reply.result);
    });
    if (this.closed) {
      socket.close();
      throw new Error('closed');
    }
    socket.addEventListener('close', () => {
      for (const w of this.pending.values()) w.reject(new Error('inspector connection closed'));
      this.pending.clear();
    });
    this.socket = socket;
    return socket;
  }

  private async call(method: string): Promise<unknown> {
    const socket = await this.connect();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method }));
    });
  }

  /** MiB of heap in use right after a full collection, or NaN if the process did not answer. */
  async retainedMiB(): Promise<number> {
    try {
      await this.call('HeapProfiler.collectGarbage');
      const { usedSize } = (await this.call('Runtime.getHeapUsage')) as { usedSize: number };
      return usedSize / 2 ** 20;
    } catch {
      return NaN;
    }
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
  }
}
