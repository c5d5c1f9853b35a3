// The front page `vigil serve` had before the status pages (packages/monitor/src/web/home-page.ts at the commit
// before them, `git show HEAD:packages/monitor/src/web/home-page.ts`), types stripped: the baseline of
// bench/status-page.mjs. Rendered on every request, sent uncompressed, as the old server did.
const LABELS = {
  new: "No data yet",
  healthy: "Up",
  degraded: "Degraded",
  unhealthy: "Down",
  pending: "Pending",
  maintenance: "Maintenance",
  paused: "Paused"
};
function escapeHtml(value) {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}
function ago(ms) {
  const s = Math.max(0, Math.round(ms / 1e3));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}
const HEARTBEAT_BADGES = {
  new: { css: "new", text: "No ping yet" },
  up: { css: "healthy", text: "Up" },
  late: { css: "degraded", text: "Late" },
  down: { css: "unhealthy", text: "Down" },
  paused: { css: "paused", text: "Paused" }
};
function heartbeatMeta(view, now) {
  const parts = [view.lastPingAt === null ? "no ping yet" : `last ping ${ago(now - view.lastPingAt)}`];
  if (view.running && view.runStartedAt !== null) parts.push(`running for ${ago(now - view.runStartedAt).replace(/ ago$/, "")}`);
  if (view.lastDurationMs !== null) parts.push(`last run ${ago(view.lastDurationMs).replace(/ ago$/, "")}`);
  return parts.join(" · ");
}
function row(monitor, input) {
  const result = input.latest(monitor.id);
  const heartbeat = monitor.heartbeat;
  const badge = heartbeat ? HEARTBEAT_BADGES[heartbeat.state] : { css: monitor.state, text: LABELS[monitor.state] };
  const checked = monitor.lastCheckAt === void 0 ? "not checked yet" : ago(input.now - monitor.lastCheckAt);
  const latency = result && result.status !== "unhealthy" ? `${Math.round(result.latencyMs)} ms` : "";
  const meta = heartbeat ? heartbeatMeta(heartbeat, input.now) : `${checked}${latency ? ` · ${latency}` : ""}`;
  const description = monitor.description ? `<div class="desc">${escapeHtml(monitor.description)}</div>` : "";
  return `<li class="monitor" data-id="${escapeHtml(monitor.id)}" data-state="${monitor.state}">
  <span class="badge ${badge.css}">${badge.text}</span>
  <span class="name">${escapeHtml(monitor.name)}</span>
  <span class="meta">${escapeHtml(monitor.type)} · ${meta}</span>${description}
</li>`;
}
function renderHomePage(input) {
  const visible = input.monitors.filter((monitor) => monitor.public);
  const groups = /* @__PURE__ */ new Map();
  for (const monitor of visible) {
    const group = monitor.group ?? "Monitors";
    groups.set(group, [...groups.get(group) ?? [], monitor]);
  }
  const down = visible.filter((monitor) => monitor.state === "unhealthy").length;
  const degraded = visible.filter((monitor) => monitor.state === "degraded").length;
  const overall = visible.length === 0 ? { css: "pending", text: "No public monitors yet" } : down > 0 ? { css: "unhealthy", text: `${down} of ${visible.length} down` } : degraded > 0 ? { css: "degraded", text: `${degraded} of ${visible.length} degraded` } : { css: "healthy", text: "All systems operational" };
  const sections = [...groups].map(
    ([group, monitors]) => `<section><h2>${escapeHtml(group)}</h2><ul>${monitors.map((m) => row(m, input)).join("\n")}</ul></section>`
  ).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="30">
<title>Vigil</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
  main { max-width: 880px; margin: 0 auto; padding: 32px 20px; }
  h1 { font-size: 22px; margin: 0 0 16px; }
  h2 { font-size: 14px; text-transform: uppercase; letter-spacing: .05em; color: #5b6477; margin: 28px 0 8px; }
  .overall { padding: 14px 18px; border-radius: 8px; color: #fff; font-weight: 600; }
  ul { list-style: none; padding: 0; margin: 0; background: #fff; border-radius: 8px; border: 1px solid #e2e5eb; }
  li { padding: 12px 16px; border-top: 1px solid #eef0f3; display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: baseline; }
  li:first-child { border-top: 0; }
  .name { font-weight: 600; }
  .meta, .desc { color: #5b6477; font-size: 13px; }
  .desc { flex-basis: 100%; }
  .badge { font-size: 12px; font-weight: 700; padding: 2px 8px; border-radius: 10px; color: #fff; min-width: 64px; text-align: center; }
  .healthy { background: #1f9d55; } .degraded { background: #d98c00; } .unhealthy { background: #d64545; }
  .new, .pending { background: #7a8599; } .maintenance { background: #3d7bd9; } .paused { background: #a0a8b8; }
  footer { margin-top: 28px; color: #5b6477; font-size: 13px; }
  a { color: #2f5fb3; }
</style>
</head>
<body>
<main>
<h1>Vigil</h1>
<div class="overall ${overall.css}">${overall.text}</div>
${sections}
<footer>
<p><a href="/api/v1/monitors">API</a> · <a href="/api/v1/openapi.json">OpenAPI</a> · <a href="/health">Health</a> · <a href="/metrics">Metrics</a></p>
</footer>
</main>
</body>
</html>
`;
}
export {
  escapeHtml,
  renderHomePage
};
