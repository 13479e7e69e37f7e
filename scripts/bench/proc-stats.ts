import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Linux only: CPU time (ms) a process has used, from /proc/<pid>/stat (utime + stime). */
const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;

export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may contain spaces) start at ") ".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

export function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

/** Pids of the processes with exactly this command name (e.g. every postgres backend). */
export function pidsOf(command: string): number[] {
  try {
    return execFileSync("pgrep", ["-x", command])
      .toString()
      .trim()
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * Linux only: read- and write-family system calls a process has made (/proc/<pid>/io syscr,
 * syscw): each socket read or write counts, and on a small box a loopback write is among the
 * dearest things a message costs.
 */
export function ioSyscalls(pid: number): { reads: number; writes: number } {
  try {
    const io = readFileSync(`/proc/${pid}/io`, "utf8");
    return {
      reads: Number(/syscr:\s+(\d+)/.exec(io)?.[1] ?? 0),
      writes: Number(/syscw:\s+(\d+)/.exec(io)?.[1] ?? 0),
    };
  } catch {
    return { reads: 0, writes: 0 };
  }
}

/**
 * Linux only: context switches of every thread of a process so far (`/proc/<pid>/task/<tid>/
 * status`): voluntary (it waited: a socket read, a futex, epoll) and involuntary (preempted by
 * another runnable task). On a small VM a wake-up is among the dearest things a message costs,
 * so at low rates these counts, not the code, say where the CPU goes; counts are also far less
 * sensitive to a noisy host than times.
 */
export function contextSwitches(pid: number): { voluntary: number; involuntary: number } {
  let voluntary = 0;
  let involuntary = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const status = readFileSync(`/proc/${pid}/task/${tid}/status`, "utf8");
        voluntary += Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
        involuntary += Number(/^nonvoluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      } catch {
        // The thread ended between the listing and the read.
      }
    }
  } catch {
    // The process ended.
  }
  return { voluntary, involuntary };
}
