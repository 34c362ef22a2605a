// Readings of a process from /proc (Linux): CPU time and resident memory. Used for the server (--pid) and for
// the generator itself, so that on a shared 2-core machine the reader can see who used the CPU.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { execFileSync } from 'node:child_process';

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** A /proc/.../stat file: the command name and the CPU clock ticks (user + system) it holds. */
function readStat(path) {
  const stat = readFileSync(path, 'utf8');
  // the command name may contain spaces and parentheses: it ends at the last ')', the other fields follow
  const end = stat.lastIndexOf(')');
  const fields = stat.slice(end + 2).split(' ');
  return { comm: stat.slice(stat.indexOf('(') + 1, end), ticks: Number(fields[11]) + Number(fields[12]) };
}

/** CPU seconds (user + system) of a process, all its threads, since it started. */
export function cpuSeconds(pid = 'self') {
  return readStat(`/proc/${pid}/stat`).ticks / CLK_TCK;
}

/**
 * CPU seconds of a JVM's JIT compiler threads (named "C1 CompilerThre…" / "C2 CompilerThre…" in /proc), summed over
 * the threads alive now. The JVM starts and stops compiler threads as it needs them, so time spent by a thread that
 * has exited since the previous reading is missing: the difference of two readings is at most the JIT's share.
 */
export function jitCpuSeconds(pid) {
  let ticks = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const t = readStat(`/proc/${pid}/task/${tid}/stat`);
      if (/^C[12] CompilerThre/.test(t.comm)) ticks += t.ticks;
    } catch {
      // the thread ended between listing and reading
    }
  }
  return ticks / CLK_TCK;
}

/** Resident set size in KiB. */
export function rssKiB(pid = 'self') {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** Number of threads of a process. */
export function threads(pid = 'self') {
  const m = /Threads:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

export function isJava(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0].endsWith('java');
  } catch {
    return false;
  }
}

/**
 * For a JVM: the Java runtime it runs on and how its requests are threaded, so that a result says what it measured.
 * `java` is JAVA_VERSION from the `release` file of the JDK its executable belongs to; `virtualThreads` is the value
 * the server was started with: `-Datlas.virtualThreads=` on its command line (what conf/tomcat/setenv.sh decided),
 * else ATLAS_VIRTUAL_THREADS from its environment (the embedded run decides from it and the Java version), else
 * "auto" (the default). Null for another process, or when /proc cannot be read.
 */
export function javaRuntime(pid) {
  if (!pid || !isJava(pid)) return null;
  try {
    const home = dirname(dirname(readlinkSync(`/proc/${pid}/exe`)));
    let java = null;
    try {
      const m = /^JAVA_VERSION="([^"]*)"/m.exec(readFileSync(`${home}/release`, 'utf8'));
      java = m ? m[1] : null;
    } catch {
      // a JRE without a release file: the version stays unknown
    }
    const decided = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').find((a) => a.startsWith('-Datlas.virtualThreads='));
    let setting = null;
    try {
      setting = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((a) => a.startsWith('ATLAS_VIRTUAL_THREADS='));
    } catch {
      // another user's process: its environment is not readable, so the setting is reported as its default
    }
    const virtualThreads = decided ? decided.slice(decided.indexOf('=') + 1) : setting ? setting.slice(setting.indexOf('=') + 1) : 'auto';
    return { javaHome: home, java, virtualThreads };
  } catch {
    return null;
  }
}

/**
 * For a JVM: a full GC (jcmd GC.run), so that resident memory reflects live objects rather than garbage, then the
 * heap's used KiB (jcmd GC.heap_info). Returns null when jcmd is not available.
 */
export function javaGcAndHeap(pid) {
  try {
    execFileSync('jcmd', [String(pid), 'GC.run'], { stdio: ['ignore', 'ignore', 'ignore'], timeout: 60_000 });
    const info = execFileSync('jcmd', [String(pid), 'GC.heap_info'], { timeout: 60_000 }).toString();
    const m = /total (\d+)K, used (\d+)K/.exec(info);
    return m ? { heapCommittedKiB: Number(m[1]), heapUsedKiB: Number(m[2]) } : null;
  } catch {
    return null;
  }
}

/** A snapshot of the server: CPU seconds and RSS, or null without a pid (or when the process is gone). */
export function serverSample(pid) {
  if (!pid) return null;
  try {
    return { cpu: cpuSeconds(pid), jit: isJava(pid) ? jitCpuSeconds(pid) : 0, rssKiB: rssKiB(pid), threads: threads(pid) };
  } catch (e) {
    console.error(`bench: cannot read /proc/${pid} (${e.code || e.message}): is the server running?`);
    return null;
  }
}

/**
 * CPU seconds of every process whose command name is `comm` (e.g. "postgres": the postmaster, its background
 * workers and each connection's backend), summed over the processes alive now. Time of a process that exited between
 * two readings is missing, so with a connection pool (long-lived backends) the difference is close to the database's
 * whole share, and never more.
 */
export function commCpuSeconds(comm) {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const p = readStat(`/proc/${entry}/stat`);
      if (p.comm === comm) ticks += p.ticks;
    } catch {
      // the process ended between listing and reading
    }
  }
  return ticks / CLK_TCK;
}

/** The machine's CPU time from /proc/stat, in seconds: busy (everything but idle and iowait) and total. */
export function machineCpuSeconds() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]; // "cpu  user nice system idle iowait irq softirq steal ..."
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = v.reduce((s, x) => s + x, 0);
  return { busy: (total - v[3] - v[4]) / CLK_TCK, total: total / CLK_TCK };
}
