import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import zmq from "zeromq";
import { LimiqcError } from "../core/errors.js";
import { VERDICT_MIME } from "./display.js";
import { type CodeCell, type Notebook, type Output, joinSource } from "./nbformat.js";

/** Output markers tslab writes to a cell's stderr for errors that escaped a cell (timers, unawaited promises). */
const ESCAPED_ERROR_MARKERS = ["UncaughtException", "UnhandledPromiseRejection"] as const;
/** Prefix the limiqc kernel launcher writes to its process stderr for the same errors (tslab may print them nowhere). */
const KERNEL_ESCAPED_MARKER = "[limiqc-kernel] ";

const PROTOCOL_VERSION = "5.3";
/**
 * tslab answers requests while its iopub socket is still binding; publishing then rejects with this message. It is
 * harmless for us (the start-up loop simply asks again) and is not an error of the notebook's code.
 */
const BENIGN_STARTUP_ERROR = "Socket is blocked by a bind or unbind operation";
/** How long a cell may go on after an error escaped it before the runner stops waiting (tslab can lose the reply). */
const ESCAPED_GRACE_MS = 5000;
const DELIMITER = "<IDS|MSG>";

/** Thrown when a notebook's cell fails; carries the cell and what the kernel said. */
export class NotebookCellError extends LimiqcError {
  constructor(
    readonly notebookPath: string,
    readonly cellIndex: number,
    readonly cellSource: string,
    readonly errorText: string,
  ) {
    super(
      `${notebookPath}: cell ${cellIndex} failed:\n--- cell source ---\n${cellSource}\n--- error ---\n${errorText}`,
      "Fix the cell (or the library call it makes) and run again.",
    );
  }
}

export interface RunNotebookOptions {
  /** Folder the kernel starts in (relative file paths in cells resolve from it). @default the notebook's folder */
  cwd?: string;
  /** Per-cell time limit, ms. @default 600000 */
  cellTimeoutMs?: number;
  /** Kernel start-up time limit, ms. @default 60000 */
  startTimeoutMs?: number;
  /** Extra environment variables for the kernel process. */
  env?: Record<string, string>;
}

export interface NotebookRun {
  path: string;
  /** The executed notebook (outputs filled in), also when a cell failed (cells after it keep no outputs). */
  notebook: Notebook;
  ok: boolean;
  /** The first failing cell, when one failed. */
  failure?: { cellIndex: number; source: string; errorText: string };
  /** Verdicts the notebook displayed, in order. */
  verdicts: { level: string; title?: string; reason?: string }[];
  durationMs: number;
}

interface Message {
  header: { msg_id: string; msg_type: string };
  parent_header: { msg_id?: string };
  metadata: Record<string, unknown>;
  content: Record<string, any>;
}

const KERNEL_SCRIPT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "kernel", "limiqc-kernel.cjs");

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((ok, fail) => {
          const s = createServer();
          s.once("error", fail);
          s.listen(0, "127.0.0.1", () => ok(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
  return ports;
}

/**
 * A tslab kernel driven over ZeroMQ with the Jupyter messaging protocol: Node only, no Python needed.
 * One instance runs one notebook; create another for the next.
 */
export class KernelSession {
  private readonly shell = new zmq.Dealer();
  private readonly control = new zmq.Dealer();
  private readonly iopub = new zmq.Subscriber();
  private readonly listeners = new Map<string, (m: Message) => void>();
  private readonly replies = new Map<string, (m: Message) => void>();
  private readonly session = randomUUID();
  private process?: ChildProcess;
  private stderrTail = "";
  /** Errors that escaped cells, as reported by the launcher on the kernel's stderr. */
  private readonly escaped: string[] = [];
  /** How many of `escaped` have been attributed to a cell already (errors arriving between cells go to the next one). */
  private escapedReported = 0;
  /** Called whenever an escaped error is reported, so a waiting cell can stop waiting. */
  private onEscaped: () => void = () => {};
  private exited = false;
  private exitedPromise: Promise<void> = Promise.resolve();
  private connDir = "";

  private constructor(private readonly key: string) {}

  /** Starts the limiqc kernel in `cwd` and waits until it answers. */
  static async start(cwd: string, options: { startTimeoutMs?: number; env?: Record<string, string> } = {}): Promise<KernelSession> {
    const key = randomBytes(16).toString("hex");
    const k = new KernelSession(key);
    const [shell, iopub, stdin, control, hb] = await freePorts(5);
    k.connDir = mkdtempSync(join(tmpdir(), "limiqc-kernel-"));
    const connFile = join(k.connDir, "connection.json");
    writeFileSync(
      connFile,
      JSON.stringify({ transport: "tcp", ip: "127.0.0.1", shell_port: shell, iopub_port: iopub, stdin_port: stdin, control_port: control, hb_port: hb, key, signature_scheme: "hmac-sha256" }),
    );
    k.process = spawn(process.execPath, [KERNEL_SCRIPT, "--config-path", connFile], {
      cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    k.process.stderr?.on("data", (b: Buffer) => {
      const text = b.toString();
      k.stderrTail = (k.stderrTail + text).slice(-4000);
      for (const chunk of text.split(`\n${KERNEL_ESCAPED_MARKER}`).slice(1)) {
        if (chunk.includes(BENIGN_STARTUP_ERROR)) continue;
        k.escaped.push(chunk.trim());
        k.onEscaped();
      }
    });
    k.exitedPromise = new Promise((ok) => {
      k.process?.on("exit", () => {
        k.exited = true;
        ok();
      });
    });
    k.shell.connect(`tcp://127.0.0.1:${shell}`);
    k.control.connect(`tcp://127.0.0.1:${control}`);
    k.iopub.connect(`tcp://127.0.0.1:${iopub}`);
    k.iopub.subscribe();
    void k.pump(k.shell, false);
    void k.pump(k.control, false);
    void k.pump(k.iopub, true);
    await k.waitReady(options.startTimeoutMs ?? 60_000);
    return k;
  }

  private sign(parts: string[]): string {
    const h = createHmac("sha256", this.key);
    for (const p of parts) h.update(p);
    return h.digest("hex");
  }

  private async send(sock: zmq.Dealer, msgType: string, content: object): Promise<string> {
    const msgId = randomUUID();
    const header = JSON.stringify({ msg_id: msgId, session: this.session, username: "limiqc", date: new Date().toISOString(), msg_type: msgType, version: PROTOCOL_VERSION });
    const parts = [header, "{}", "{}", JSON.stringify(content)];
    await sock.send([DELIMITER, this.sign(parts), ...parts]);
    return msgId;
  }

  private async pump(sock: zmq.Dealer | zmq.Subscriber, isIopub: boolean): Promise<void> {
    try {
      for await (const frames of sock) {
        const strs = frames.map((f) => f.toString("utf8"));
        const d = strs.indexOf(DELIMITER);
        if (d < 0 || strs.length < d + 6) continue;
        const [sig, header, parent, metadata, content] = strs.slice(d + 1, d + 6);
        if (sig !== this.sign([header, parent, metadata, content])) continue; // not from our kernel
        const m: Message = { header: JSON.parse(header), parent_header: JSON.parse(parent), metadata: JSON.parse(metadata), content: JSON.parse(content) };
        const parentId = m.parent_header.msg_id ?? "";
        if (isIopub) this.listeners.get(parentId)?.(m);
        else this.replies.get(parentId)?.(m);
      }
    } catch {
      /* socket closed */
    }
  }

  /**
   * Waits until the kernel answers on the shell channel AND its iopub messages reach us. ZeroMQ subscriptions
   * propagate asynchronously ("slow joiner"): without the second condition the first cell's output and its idle
   * status can be published before our subscription is active, and the runner would wait for them forever.
   */
  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) throw new LimiqcError(`The limiqc kernel exited while starting:\n${this.stderrTail}`, "Run `npm install` (it builds the library) and check that tslab is installed.");
      const id = await this.send(this.shell, "kernel_info_request", {});
      const iopubSeen = await new Promise<boolean>((ok) => {
        const t = setTimeout(() => ok(false), 1000);
        this.listeners.set(id, () => {
          clearTimeout(t);
          ok(true);
        });
      });
      this.listeners.delete(id);
      if (iopubSeen) return;
    }
    throw new LimiqcError(`The limiqc kernel did not answer within ${timeoutMs / 1000} s.\n${this.stderrTail}`, "Check that `node kernel/limiqc-kernel.cjs` starts; a first start compiles the library.");
  }

  /**
   * Executes code and collects the cell's outputs in nbformat form.
   * `ok` is false when the kernel reported an error or an error escaped the cell's control flow.
   */
  async execute(code: string, timeoutMs = 600_000): Promise<{ ok: boolean; outputs: Output[]; errorText: string }> {
    const outputs: Output[] = [];
    const displayIds = new Map<string, number[]>();
    let replyStatus = "";
    let errorText = "";
    let idle = false;
    let replied = false;
    let settle: () => void = () => {};
    const done = new Promise<void>((ok) => {
      settle = ok;
    });
    const maybeDone = (): void => {
      if (idle && replied) settle();
    };
    const msgId = randomUUID();
    const escapedBefore = this.escapedReported;
    this.listeners.set(msgId, (m) => {
      const c = m.content;
      switch (m.header.msg_type) {
        case "stream": {
          const last = outputs[outputs.length - 1];
          if (last && last.output_type === "stream" && last.name === c.name) last.text = joinSource(last.text) + c.text;
          else outputs.push({ output_type: "stream", name: c.name, text: c.text });
          break;
        }
        case "display_data":
        case "execute_result": {
          const out: Output =
            m.header.msg_type === "display_data"
              ? { output_type: "display_data", data: c.data, metadata: c.metadata ?? {} }
              : { output_type: "execute_result", data: c.data, metadata: c.metadata ?? {}, execution_count: c.execution_count ?? null };
          outputs.push(out);
          const id = c.transient?.display_id;
          if (id) displayIds.set(id, [...(displayIds.get(id) ?? []), outputs.length - 1]);
          break;
        }
        case "update_display_data": {
          for (const i of displayIds.get(c.transient?.display_id) ?? []) {
            const o = outputs[i];
            if (o.output_type === "display_data" || o.output_type === "execute_result") {
              o.data = c.data;
              o.metadata = c.metadata ?? {};
            }
          }
          break;
        }
        case "clear_output":
          outputs.length = 0;
          displayIds.clear();
          break;
        case "error":
          outputs.push({ output_type: "error", ename: c.ename, evalue: c.evalue, traceback: c.traceback ?? [] });
          errorText += `${c.ename}: ${c.evalue}\n`;
          break;
        case "status":
          if (c.execution_state === "idle") {
            idle = true;
            maybeDone();
          }
          break;
      }
    });
    this.replies.set(msgId, (m) => {
      replyStatus = m.content.status;
      replied = true;
      maybeDone();
    });
    const header = JSON.stringify({ msg_id: msgId, session: this.session, username: "limiqc", date: new Date().toISOString(), msg_type: "execute_request", version: PROTOCOL_VERSION });
    const content = JSON.stringify({ code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    const parts = [header, "{}", "{}", content];
    await this.shell.send([DELIMITER, this.sign(parts), ...parts]);

    let timer: NodeJS.Timeout | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      done.then(() => false),
      new Promise<boolean>((ok) => {
        timer = setTimeout(() => ok(true), timeoutMs);
      }),
      this.exitedPromise.then(() => true),
      // An escaped error can leave tslab without ever replying: give the cell a grace period, then fail it.
      new Promise<boolean>((ok) => {
        this.onEscaped = () => {
          graceTimer ??= setTimeout(() => ok(true), ESCAPED_GRACE_MS);
        };
        if (this.escaped.length > escapedBefore) this.onEscaped(); // one arrived before this cell started
      }),
    ]);
    clearTimeout(timer);
    clearTimeout(graceTimer);
    this.onEscaped = () => {};
    this.listeners.delete(msgId);
    this.replies.delete(msgId);
    const escapedDuring = this.escaped.slice(escapedBefore);
    this.escapedReported = this.escaped.length;
    if (timedOut && escapedDuring.length) {
      return {
        ok: false,
        outputs,
        errorText: `An error escaped the cell and the kernel did not finish it:\n${escapedDuring.join("\n")}\n`,
      };
    }
    if (timedOut) {
      const why = this.exited ? `the kernel died:\n${this.stderrTail}` : `the cell did not finish within ${timeoutMs / 1000} s`;
      return { ok: false, outputs, errorText: why };
    }
    const stderr = outputs
      .filter((o) => o.output_type === "stream" && o.name === "stderr")
      .map((o) => joinSource((o as { text: string }).text))
      .join("");
    const escaped = escapedDuring.length > 0 || ESCAPED_ERROR_MARKERS.some((mk) => stderr.includes(mk));
    const ok = replyStatus === "ok" && !escaped && !outputs.some((o) => o.output_type === "error");
    if (escapedDuring.length) errorText += `An error escaped a cell (a throwing timer or callback, or a promise that was not awaited):\n${escapedDuring.join("\n")}\n`;
    if (!ok) errorText = errorText || stderr || `the kernel replied status "${replyStatus}" without saying why`;
    return { ok, outputs, errorText };
  }

  /** Asks the kernel to shut down, then makes sure the process is gone. */
  async shutdown(): Promise<void> {
    if (!this.exited) {
      try {
        await this.send(this.control, "shutdown_request", { restart: false });
      } catch {
        /* already closed */
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.exitedPromise,
        new Promise<void>((ok) => {
          timer = setTimeout(() => {
            this.process?.kill("SIGKILL");
            ok();
          }, 2000);
        }),
      ]);
      clearTimeout(timer);
    }
    for (const s of [this.shell, this.control, this.iopub]) s.close();
    rmSync(this.connDir, { recursive: true, force: true });
  }
}

/** Code run after the last cell so that an error escaping it (a timer, an unawaited promise) is still caught. */
const FLUSH_CELL = "await new Promise((r) => setTimeout(r, 200));";

/**
 * Executes a notebook top to bottom through the limiqc kernel and returns the executed copy.
 * Stops at the first failing cell: a thrown error, a type error, or an error that escaped the cell
 * (tslab only reports those on stderr, so they are looked for there).
 * @param path .ipynb file
 */
export async function runNotebook(path: string, options: RunNotebookOptions = {}): Promise<NotebookRun> {
  const t0 = Date.now();
  const nb = JSON.parse(readFileSync(path, "utf8")) as Notebook;
  const kernel = await KernelSession.start(options.cwd ?? dirname(resolve(path)), { startTimeoutMs: options.startTimeoutMs, env: options.env });
  let failure: NotebookRun["failure"];
  let count = 0;
  try {
    for (const [i, cell] of nb.cells.entries()) {
      if (cell.cell_type !== "code") continue;
      const code = joinSource(cell.source);
      const r = await kernel.execute(code, options.cellTimeoutMs);
      const c = cell as CodeCell;
      c.outputs = r.outputs;
      c.execution_count = ++count;
      if (!r.ok) {
        failure = { cellIndex: i, source: code, errorText: r.errorText };
        break;
      }
    }
    if (!failure) {
      const r = await kernel.execute(FLUSH_CELL, 10_000);
      if (!r.ok) {
        const last = [...nb.cells.entries()].reverse().find(([, c]) => c.cell_type === "code");
        failure = { cellIndex: last?.[0] ?? -1, source: last ? joinSource(last[1].source) : "", errorText: r.errorText };
        if (last) (last[1] as CodeCell).outputs.push(...r.outputs);
      }
    }
  } finally {
    await kernel.shutdown();
  }
  return { path, notebook: nb, ok: !failure, failure, verdicts: findVerdicts(nb), durationMs: Date.now() - t0 };
}

/** Verdicts displayed by a notebook (outputs carrying the verdict MIME type; a protocol notebook must show one). */
export function findVerdicts(nb: Notebook): NotebookRun["verdicts"] {
  const found: NotebookRun["verdicts"] = [];
  for (const c of nb.cells) {
    if (c.cell_type !== "code") continue;
    for (const o of c.outputs) {
      if ((o.output_type === "display_data" || o.output_type === "execute_result") && o.data[VERDICT_MIME]) {
        found.push(o.data[VERDICT_MIME] as NotebookRun["verdicts"][number]);
      }
    }
  }
  return found;
}
