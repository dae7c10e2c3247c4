// The scenarios' result as text: per scenario, each contender's medians,
// then the checks against the issue's targets.
import type { ContenderRuns, ScenariosResult } from './run.js';

function figures(c: ContenderRuns): string {
  if (c.status !== 'ok') return `${c.status}${c.reason === undefined ? '' : `: ${c.reason}`}`;
  const m = c.medians;
  if (m === undefined) return `${c.medianWallMs ?? '?'} ms wall (median of ${c.wallMs.length})`;
  const parts: string[] = [];
  if (m.msPerCall !== undefined) parts.push(`${m.msPerCall} ms/call`, `${Math.round(m.callsPerSec ?? 0)} calls/s`);
  if (m.msPerRequest !== undefined) parts.push(`${m.msPerRequest} ms/request`);
  if (m.p50Ms !== undefined) parts.push(`p50 ${m.p50Ms} ms`, `p99 ${m.p99Ms ?? '?'} ms`);
  if (m.threadsPeak !== undefined) parts.push(`threads ${m.threadsPeak}`, `RSS ${Math.round(m.rssPeakMiB ?? 0)} MiB`);
  return `${parts.join(', ')} (medians of ${c.reports.length})`;
}

export function scenariosText(r: ScenariosResult): string {
  const lines = [`hivestream bench compare --scenario (${r.date}, ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, load ${r.machine.loadAverage.start} -> ${r.machine.loadAverage.end ?? '?'})`, ''];
  for (const s of r.scenarios) {
    lines.push(`${s.name}`);
    for (const c of s.contenders) lines.push(`  ${c.label.padEnd(58)} ${figures(c)}`);
    for (const k of s.checks) {
      const bound = k.max !== undefined ? `<= ${k.max}` : k.min !== undefined ? `>= ${k.min}` : '';
      const verdict = k.met === null ? (bound === '' ? '' : 'n/a') : k.met ? 'met' : 'MISSED';
      lines.push(`  check: ${k.label}: ${k.value ?? 'n/a'} ${bound} ${verdict}`.trimEnd());
    }
    lines.push('');
  }
  return lines.join('\n');
}
