// smslab status page. It polls small JSON endpoints every second (docs/status-page.md) and
// builds every element from text: no innerHTML, no inline script or style, so a task named
// <img src=x onerror=...> is shown as those characters and runs nothing. Three views share the
// page: the tasks, the source servers their agents registered, and the wall (?view=wall), for a
// lab's big screen. Every view is in the URL, so that it can be bookmarked or opened on the wall.
"use strict";

(() => {
  const POLL_MS = 1000; // a progress report shows within this plus one request
  const TIMEOUT_MS = 4000; // a request slower than this counts as "cannot reach"
  const WALL_ROWS = 10; // tasks on a page of the wall
  const WALL_EVERY_S = 10; // seconds a page of the wall stays, unless the URL says otherwise
  const MAX_SUB_TASKS_SHOWN = 200; // an expanded task shows this many sub-tasks, then a count

  const $ = (id) => document.getElementById(id);

  const view = {
    kind: "tasks", // or "sources"
    group: "", // state group filter, "" for all
    name: "",
    offset: 0,
    limit: 50,
    expanded: new Set(), // task ids whose sub-tasks are shown
    src: { connected: false, name: "", offset: 0 }, // the sources view's filters and page
    wall: false, // the wall view, for a big screen
    every: WALL_EVERY_S,
    wallOffset: 0,
  };
  let wallCount = 0; // how many tasks the wall pages through
  const rows = new Map(); // task id -> row elements, reused between polls
  const sourceRows = new Map(); // source id -> row elements
  const details = new Map(); // task id -> last sub-task detail
  let started = null; // the server's start time, to notice a restart
  let lastOK = null; // when the last poll succeeded (viewer's clock)
  let failingSince = null;
  let generation = 0; // bumps on every filter change so that late answers are dropped
  let timer = null;

  // --- formatting -------------------------------------------------------------------------

  const pad = (n) => String(n).padStart(2, "0");

  function clock(ms) {
    const d = new Date(ms);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }

  function dateTime(ms) {
    if (ms == null) return "—";
    const d = new Date(ms);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock(ms)}`;
  }

  function duration(seconds) {
    if (seconds == null || seconds < 0) return "—";
    seconds = Math.round(seconds);
    if (seconds < 60) return `${seconds} s`;
    const m = Math.floor(seconds / 60);
    if (m < 60) return `${m} min ${pad(seconds % 60)} s`;
    const h = Math.floor(m / 60);
    if (h < 48) return `${h} h ${pad(m % 60)} min`;
    return `${Math.floor(h / 24)} d ${h % 24} h`;
  }

  function ago(ms, now) {
    if (ms == null) return "—";
    const s = Math.max(0, Math.round((now - ms) / 1000));
    if (s < 60) return `${s} s ago`;
    const m = Math.floor(s / 60);
    if (m < 60) return `${m} min ago`;
    const h = Math.floor(m / 60);
    if (h < 48) return `${h} h ago`;
    return `${Math.floor(h / 24)} d ago`;
  }

  // ended says when a finished, failed or aborted task ended and how long it took.
  // A date within the last day shows as a time only.
  function ended(t, now) {
    if (t.end_date == null) return t.took_seconds != null ? `took ${duration(t.took_seconds)}` : "—";
    const took = t.took_seconds != null ? ` · took ${duration(t.took_seconds)}` : "";
    const at = now - t.end_date < 86400000 ? clock(t.end_date) : dateTime(t.end_date);
    return `ended ${at}${took}`;
  }

  const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  function bytes(n) {
    if (n == null) return "—";
    let i = 0;
    while (n >= 1024 && i < UNITS.length - 1) {
      n /= 1024;
      i++;
    }
    return i === 0 ? `${n} B` : `${n.toFixed(n < 10 ? 2 : 1)} ${UNITS[i]}`;
  }

  function speed(mbits) {
    if (mbits == null) return "—";
    return `${mbits.toLocaleString(undefined, { maximumFractionDigits: 1 })} Mbit/s`;
  }

  const count = (n) => n.toLocaleString();

  const LABEL = {
    running: "Running",
    syncing: "Syncing",
    succeeded: "Succeeded",
    failed: "Failed",
    aborted: "Aborted",
    ready: "Ready",
    other: "Other",
  };

  // A task's error_json is usually the SMS error envelope; show its code and message, or the
  // raw text when it is something else.
  function errorText(raw) {
    try {
      const e = JSON.parse(raw);
      if (e && typeof e === "object" && typeof e.error_msg === "string") {
        let s = e.error_code ? `${e.error_code}: ${e.error_msg}` : e.error_msg;
        if (Array.isArray(e.error_param) && e.error_param.length > 0) {
          s += ` (${e.error_param.join(", ")})`;
        }
        return s;
      }
    } catch (_) {
      // not JSON: shown as it is
    }
    return raw;
  }

  // --- DOM helpers (text only) ------------------------------------------------------------

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text != null) e.textContent = text;
    return e;
  }

  function setText(e, text) {
    if (e.textContent !== text) e.textContent = text;
  }

  function setClass(e, className) {
    if (e.className !== className) e.className = className;
  }

  function progressBar() {
    const wrap = el("div", "progress");
    const bar = el("div", "bar");
    const fill = el("div", "fill");
    bar.append(fill);
    const pct = el("span", "pct");
    wrap.append(bar, pct);
    return { wrap, fill, pct };
  }

  function setProgress(p, value, group) {
    const v = Math.max(0, Math.min(100, value));
    // CSSOM, not a style attribute: allowed by the page's style-src 'self'.
    const w = `${v}%`;
    if (p.fill.style.width !== w) p.fill.style.width = w;
    setClass(p.fill, `fill g-${group}`);
    setText(p.pct, `${v}%`);
  }

  // --- network ----------------------------------------------------------------------------

  async function getJSON(url) {
    const ctl = new AbortController();
    const t = setTimeout(() => ctl.abort(), TIMEOUT_MS);
    try {
      const res = await fetch(url, { signal: ctl.signal, cache: "no-store", credentials: "omit" });
      const body = await res.json().catch(() => null);
      if (!res.ok) {
        const msg = body && body.error_msg ? `${body.error_code}: ${body.error_msg}` : `HTTP ${res.status}`;
        const err = new Error(msg);
        // A 4xx in the SMS envelope is smslab answering that it will not show this view (a
        // search it refuses, say): it is up, and the page must not say it cannot be reached.
        err.refused = res.status >= 400 && res.status < 500 && body && body.error_msg != null;
        throw err;
      }
      return body;
    } finally {
      clearTimeout(t);
    }
  }

  function tasksURL() {
    const q = new URLSearchParams();
    if (view.group) q.set("state", view.group);
    if (view.name) q.set("name", view.name);
    q.set("offset", String(view.offset));
    q.set("limit", String(view.limit));
    return `/status/tasks?${q}`;
  }

  function sourcesURL() {
    const q = new URLSearchParams();
    if (view.src.connected) q.set("connected", "true");
    if (view.src.name) q.set("name", view.src.name);
    q.set("offset", String(view.src.offset));
    q.set("limit", String(view.limit));
    return `/status/sources?${q}`;
  }

  // taskURL is a task's detail URL. The id goes in the query: in a path, the browser would
  // resolve a task named . or .. (even escaped, as %2E) as a path segment.
  const taskURL = (id) => `/status/task?${new URLSearchParams({ id })}`;

  function wallURL() {
    return `/status/wall?${new URLSearchParams({ offset: String(view.wallOffset), limit: String(WALL_ROWS) })}`;
  }

  async function poll() {
    const gen = generation;
    let next = POLL_MS;
    try {
      if (view.wall) {
        const [summary, wave, list] = await Promise.all([getJSON("/status/summary"), getJSON("/status/wave"), getJSON(wallURL())]);
        if (gen !== generation) return;
        connected(summary);
        renderSummary(summary);
        renderWave(wave);
        renderWall(list);
        return;
      }
      if (view.kind === "sources") {
        const [summary, list] = await Promise.all([getJSON("/status/summary"), getJSON(sourcesURL())]);
        if (gen !== generation) return;
        if (list.offset > 0 && list.offset >= list.count) {
          view.src.offset = list.count > 0 ? Math.floor((list.count - 1) / view.limit) * view.limit : 0;
          next = 0;
          return;
        }
        connected(summary);
        renderSummary(summary);
        renderSources(list);
        return;
      }
      const [summary, list] = await Promise.all([getJSON("/status/summary"), getJSON(tasksURL())]);
      if (gen !== generation) return; // the filters changed meanwhile; a new poll is on its way
      if (list.offset > 0 && list.offset >= list.count) {
        // The list shrank under the current page: go to its last page (or the first) at once.
        view.offset = list.count > 0 ? Math.floor((list.count - 1) / view.limit) * view.limit : 0;
        next = 0;
        return;
      }
      const ids = list.tasks.map((t) => t.id).filter((id) => view.expanded.has(id));
      const got = await Promise.all(ids.map((id) => getJSON(taskURL(id)).catch(() => null)));
      if (gen !== generation) return;
      ids.forEach((id, i) => {
        if (got[i]) details.set(id, got[i]);
      });
      connected(summary);
      renderSummary(summary);
      renderTasks(list);
    } catch (err) {
      if (gen === generation) (err.refused ? refused : disconnected)(err);
    } finally {
      if (gen === generation) schedule(next);
    }
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(poll, ms);
  }

  function refilter() {
    generation++;
    writeURL();
    schedule(0);
  }

  // --- connection state -------------------------------------------------------------------

  function connected(summary) {
    const banner = $("banner");
    if (banner.dataset.kind === "refused") banner.hidden = true;
    if (started !== null && summary.started !== started) {
      showBanner("info", `smslab restarted at ${clock(summary.started)}; the page is live again.`);
      setTimeout(() => {
        if (banner.dataset.kind === "info") banner.hidden = true;
      }, 8000);
    } else if (failingSince !== null) {
      showBanner("info", `Reconnected to smslab at ${clock(Date.now())}.`);
      setTimeout(() => {
        if (banner.dataset.kind === "info") banner.hidden = true;
      }, 5000);
    }
    started = summary.started;
    failingSince = null;
    lastOK = Date.now();
    document.body.classList.remove("offline");
    $("live").dataset.state = "live";
    setText($("live-text"), `live · updated ${clock(lastOK)}`);
  }

  function disconnected(err) {
    if (failingSince === null) failingSince = Date.now();
    document.body.classList.add("offline");
    $("live").dataset.state = "offline";
    setText($("live-text"), "offline");
    const since = clock(failingSince);
    const shown = lastOK ? `The figures below are from ${clock(lastOK)}.` : "No data yet.";
    const why = err && err.name !== "AbortError" && err.message ? ` (${err.message})` : "";
    showBanner(
      "error",
      `Cannot reach smslab at ${location.host} since ${since}${why}. Retrying every second. ${shown}`,
    );
  }

  // refused says that smslab answered but would not show this view; the figures stay as they were.
  function refused(err) {
    showBanner("refused", `smslab refused this view (${err.message}). Change the search or the filters.`);
  }

  function showBanner(kind, text) {
    const b = $("banner");
    b.dataset.kind = kind;
    setText(b, text);
    b.hidden = false;
  }

  // --- rendering --------------------------------------------------------------------------

  function renderSummary(s) {
    setText($("n-tasks"), count(s.total));
    setText($("n-sources"), count(s.sources.total));
    setText($("addr"), s.addr);
    setText($("db"), s.db);
    $("db").title = s.db;
    setText($("auth"), s.auth_mode);
    setText($("uptime"), duration((s.now - s.started) / 1000));

    const chips = $("chips");
    const wanted = [{ group: "", count: s.total }].concat(
      s.groups.filter((g) => g.count > 0 || g.group === view.group || g.group !== "other"),
    );
    if (chips.childElementCount !== wanted.length) {
      chips.replaceChildren();
      for (const g of wanted) {
        const b = el("button", "chip");
        b.type = "button";
        b.dataset.group = g.group;
        const dot = el("span", "dot");
        const label = el("span", "label", g.group ? LABEL[g.group] || g.group : "All");
        const n = el("span", "n");
        b.append(dot, label, n);
        b.addEventListener("click", () => {
          view.group = view.group === g.group ? "" : g.group;
          view.offset = 0;
          refilter();
          markChips();
        });
        chips.append(b);
      }
    }
    wanted.forEach((g, i) => {
      const b = chips.children[i];
      setClass(b, `chip g-${g.group || "all"}${g.count === 0 ? " zero" : ""}`);
      setText(b.querySelector(".n"), count(g.count));
      if (g.states) b.title = g.states.join(", ");
    });
    markChips();
  }

  function markChips() {
    for (const b of $("chips").children) {
      b.setAttribute("aria-pressed", String(b.dataset.group === view.group));
    }
  }

  function makeRow(id) {
    const tr = el("tr", "task");
    tr.dataset.id = id;
    const c = {};
    const cells = ["expand", "name", "source", "kind", "state", "progress", "speed", "size", "remain", "report"];
    for (const k of cells) {
      c[k] = el("td", `col-${k}`);
      tr.append(c[k]);
    }
    for (const k of ["speed", "size", "remain", "report"]) c[k].classList.add("num");

    const btn = el("button", "expander");
    btn.type = "button";
    btn.setAttribute("aria-expanded", "false");
    btn.setAttribute("aria-label", "Show sub-tasks");
    btn.addEventListener("click", () => toggle(id));
    c.expand.append(btn);

    c.nameText = el("div", "name");
    c.error = el("div", "error");
    c.error.hidden = true;
    c.name.append(c.nameText, c.error);

    c.sourceName = el("div", "");
    c.sourceIP = el("div", "sub mono");
    c.source.append(c.sourceName, c.sourceIP);

    c.badge = el("span", "badge");
    c.state.append(c.badge);

    c.health = el("span", "badge health");
    c.health.hidden = true;
    c.state.append(" ", c.health);

    c.subName = el("div", "sub-name");
    c.bar = progressBar();
    c.reason = el("div", "reason");
    c.reason.hidden = true;
    c.progress.append(c.subName, c.bar.wrap, c.reason);

    const detail = el("tr", "detail");
    detail.hidden = true;
    const td = el("td");
    td.colSpan = cells.length;
    detail.append(td);
    return { tr, c, detail, detailCell: td };
  }

  function renderTasks(list) {
    const now = list.now;
    const tbody = $("rows");
    const seen = new Set();
    let prev = null;
    for (const t of list.tasks) {
      seen.add(t.id);
      let r = rows.get(t.id);
      if (!r) {
        r = makeRow(t.id);
        rows.set(t.id, r);
      }
      fillRow(r, t, now);
      // Keep the DOM in the list's order, moving only what moved.
      const before = prev ? prev.detail.nextSibling : tbody.firstChild;
      if (before !== r.tr) tbody.insertBefore(r.tr, before);
      if (r.tr.nextSibling !== r.detail) tbody.insertBefore(r.detail, r.tr.nextSibling);
      prev = r;
    }
    for (const [id, r] of rows) {
      if (!seen.has(id)) {
        r.tr.remove();
        r.detail.remove();
        rows.delete(id);
        details.delete(id);
      }
    }
    $("empty").hidden = list.tasks.length > 0;
    setText($("empty"), "No task matches.");
    pager(list.offset, list.tasks.length, list.count);
  }

  function fillRow(r, t, now) {
    const c = r.c;
    setClass(r.tr, `task g-${t.group}`);
    setText(c.nameText, t.name || "(no name)");
    c.nameText.title = t.id;
    const failed = t.group === "failed" && t.error_json;
    c.error.hidden = !failed;
    if (failed) setText(c.error, errorText(t.error_json));

    setText(c.sourceName, t.source_name || "—");
    setText(c.sourceIP, t.source_ip || "");
    c.source.title = [t.source_name, t.source_ip].filter(Boolean).join("\n");
    const kind = [t.type ? t.type.replace("MIGRATE_", "").toLowerCase() : null, t.os_type ? t.os_type.toLowerCase() : null];
    setText(c.kind, kind.filter(Boolean).join(" · ") || "—");

    setClass(c.badge, `badge g-${t.group}`);
    setText(c.badge, t.state.replaceAll("_", " ").toLowerCase());

    if (t.current) {
      setText(c.subName, t.current.name.replaceAll("_", " ").toLowerCase());
      c.subName.title = t.current.name;
      c.bar.wrap.hidden = false;
      setProgress(c.bar, t.current.progress, t.group);
    } else {
      setText(c.subName, "—");
      c.bar.wrap.hidden = true;
    }

    const moving = t.group === "running" || t.group === "syncing";
    setHealth(c.health, t);
    r.tr.classList.toggle("trouble", !!t.health);
    c.reason.hidden = !t.health_reason;
    setText(c.reason, t.health_reason || "");
    // A rate and a time left mean something only while data is copied.
    setText(c.speed, moving && t.copying ? speed(t.migrate_speed) : "—");
    setText(c.size, t.totalsize != null ? `${bytes(t.replicatesize)} / ${bytes(t.totalsize)}` : "—");
    setText(c.remain, t.remain_seconds != null ? duration(t.remain_seconds) : "—");
    const done = t.group === "succeeded" || t.group === "failed" || t.group === "aborted";
    setText(c.report, done ? ended(t, now) : ago(t.last_report_date, now));
    c.report.title = t.last_report_date != null ? `last report ${dateTime(t.last_report_date)}` : "";
    c.report.classList.toggle("late", !!t.health);

    const open = view.expanded.has(t.id);
    const btn = c.expand.firstChild;
    btn.setAttribute("aria-expanded", String(open));
    setText(btn, open ? "▾" : "▸");
    r.detail.hidden = !open;
    if (open) renderDetail(r, details.get(t.id), now);
  }

  // setHealth shows a moving task's trouble, if it has any, as a badge beside its state.
  function setHealth(badge, t) {
    badge.hidden = !t.health;
    if (!t.health) return;
    setClass(badge, `badge health h-${t.health}`);
    setText(badge, t.health);
    badge.title = t.health_reason || "";
  }

  function renderDetail(r, d, now) {
    const cell = r.detailCell;
    if (!d) {
      if (!cell.firstChild) cell.append(el("p", "sub", "Loading sub-tasks…"));
      return;
    }
    const table = el("table", "subtasks");
    const head = el("tr");
    for (const h of ["#", "Sub-task", "Progress", "Started", "Ended", "Took", "Trace"]) head.append(el("th", "", h));
    const thead = el("thead");
    thead.append(head);
    table.append(thead);
    const body = el("tbody");
    if (d.sub_tasks.length === 0) {
      const tr = el("tr");
      const td = el("td", "sub", "This task has no sub-tasks yet.");
      td.colSpan = 7;
      tr.append(td);
      body.append(tr);
    }
    // A sub-task without an end runs on only while its task moves; a failed or stopped one
    // stopped at a moment the page does not know.
    const moving = d.group === "running" || d.group === "syncing";
    d.sub_tasks.slice(0, MAX_SUB_TASKS_SHOWN).forEach((s, i) => {
      const tr = el("tr");
      const bar = progressBar();
      setProgress(bar, s.progress, s.end_date != null ? "succeeded" : s.start_date != null ? d.group : "idle");
      const end = s.end_date ?? (moving ? now : null);
      const took = s.start_date != null && end != null ? (end - s.start_date) / 1000 : null;
      const cells = [
        el("td", "num", String(i + 1)),
        el("td", "mono sub-task", s.name || "—"),
        el("td"),
        el("td", "mono", dateTime(s.start_date)),
        el("td", "mono", dateTime(s.end_date)),
        el("td", "num", duration(took)),
        el("td", "trace", s.process_trace || ""),
      ];
      cells[2].append(bar.wrap);
      tr.append(...cells);
      body.append(tr);
    });
    // smslab sends the first 200 sub-tasks and how many there are.
    const total = d.sub_task_count ?? d.sub_tasks.length;
    if (total > MAX_SUB_TASKS_SHOWN) {
      const tr = el("tr");
      const more = total - MAX_SUB_TASKS_SHOWN;
      const td = el("td", "more", `… and ${count(more)} more sub-tasks, not shown`);
      td.colSpan = 7;
      tr.append(td);
      body.append(tr);
    }
    table.append(body);
    // The task's timeline: created, actions, commands queued, delivered and answered, states.
    const events = d.timeline || [];
    if (events.length === 0) {
      cell.replaceChildren(table);
      return;
    }
    const list = el("ol", "timeline");
    for (const e of events) {
      const li = el("li");
      li.append(el("span", "mono", dateTime(e.time)), el("span", "", ` ${e.event} `), el("span", "mono", e.name));
      if (e.detail) li.append(el("span", "sub", ` ${e.detail}`));
      list.append(li);
    }
    cell.replaceChildren(table, el("p", "sub", "Timeline"), list);
  }

  // --- the source servers view ------------------------------------------------------------

  function makeSourceRow(id) {
    const tr = el("tr", "source");
    tr.dataset.id = id;
    const c = {};
    for (const k of ["name", "os", "project", "state", "conn", "task", "call", "added"]) {
      c[k] = el("td", `col-${k}`);
      tr.append(c[k]);
    }
    c.call.classList.add("num");
    c.added.classList.add("num");
    c.nameText = el("div", "name");
    c.ip = el("div", "sub mono");
    c.name.append(c.nameText, c.ip);
    c.badge = el("span", "badge");
    c.state.append(c.badge);
    c.cycle = el("div", "sub");
    c.state.append(c.cycle);
    c.dot = el("span", "conn-dot");
    c.connText = el("span", "");
    c.agent = el("div", "sub");
    c.conn.append(c.dot, c.connText, c.agent);
    c.taskName = el("div", "task-name");
    c.taskBadge = el("span", "badge");
    c.taskSub = el("div", "sub-name");
    c.bar = progressBar();
    c.task.append(c.taskName, c.taskBadge, c.taskSub, c.bar.wrap);
    return { tr, c };
  }

  function renderSources(list) {
    const tbody = $("source-rows");
    const seen = new Set();
    let prev = null;
    for (const s of list.sources) {
      seen.add(s.id);
      let r = sourceRows.get(s.id);
      if (!r) {
        r = makeSourceRow(s.id);
        sourceRows.set(s.id, r);
      }
      fillSourceRow(r, s, list.now);
      const before = prev ? prev.tr.nextSibling : tbody.firstChild;
      if (before !== r.tr) tbody.insertBefore(r.tr, before);
      prev = r;
    }
    for (const [id, r] of sourceRows) {
      if (!seen.has(id)) {
        r.tr.remove();
        sourceRows.delete(id);
      }
    }
    for (const b of $("source-chips").children) {
      const n = b.dataset.connected === "true" ? list.connected : list.total;
      setText(b.querySelector(".n"), count(n));
      b.setAttribute("aria-pressed", String((b.dataset.connected === "true") === view.src.connected));
    }
    $("empty").hidden = list.sources.length > 0;
    setText($("empty"), "No source server matches.");
    pager(list.offset, list.sources.length, list.count);
  }

  function fillSourceRow(r, s, now) {
    const c = r.c;
    setClass(r.tr, `source g-${s.group}${s.connected ? " connected" : ""}`);
    setText(c.nameText, s.name || "(no name)");
    c.nameText.title = s.id;
    setText(c.ip, s.ip || "");
    const os = [s.os_type ? s.os_type.toLowerCase() : null, s.os_version].filter(Boolean).join(" · ");
    setText(c.os, os || "—");
    setText(c.project, s.project || "—");
    setClass(c.badge, `badge g-${s.group}`);
    setText(c.badge, s.state);
    setText(c.cycle, s.migration_cycle);
    setClass(c.dot, `conn-dot${s.connected ? " on" : ""}`);
    setText(c.connText, s.connected ? "connected" : "disconnected");
    setText(c.agent, s.agent_version ? `agent ${s.agent_version}` : "");
    if (s.task) {
      setText(c.taskName, s.task.name || "(no name)");
      c.taskName.title = s.task.id;
      c.taskBadge.hidden = false;
      setClass(c.taskBadge, `badge g-${s.task.group}`);
      setText(c.taskBadge, s.task.state.replaceAll("_", " ").toLowerCase());
      if (s.task.current) {
        setText(c.taskSub, s.task.current.name.replaceAll("_", " ").toLowerCase());
        c.bar.wrap.hidden = false;
        setProgress(c.bar, s.task.current.progress, s.task.group);
      } else {
        setText(c.taskSub, "");
        c.bar.wrap.hidden = true;
      }
    } else {
      setText(c.taskName, "no task");
      c.taskBadge.hidden = true;
      setText(c.taskSub, "");
      c.bar.wrap.hidden = true;
    }
    setText(c.call, ago(s.last_call, now));
    c.call.title = s.last_call != null ? dateTime(s.last_call) : "";
    setText(c.added, dateTime(s.add_date));
  }

  // --- the wall ---------------------------------------------------------------------------

  function renderWave(w) {
    const states = $("wave-states");
    const groups = [{ group: "", count: w.tasks }].concat(w.groups.filter((g) => g.count > 0));
    const problems = [
      { group: "stalled", count: w.stalled },
      { group: "disconnected", count: w.disconnected },
    ];
    const items = groups.concat(problems);
    if (states.childElementCount !== items.length) {
      states.replaceChildren();
      for (const g of items) {
        const d = el("div", "wave-state");
        d.append(el("span", "n"), el("span", "label"));
        states.append(d);
      }
    }
    items.forEach((g, i) => {
      const d = states.children[i];
      const problem = g.group === "stalled" || g.group === "disconnected";
      setClass(d, `wave-state ${problem ? `h-${g.group}` : `g-${g.group || "all"}`}${g.count === 0 ? " zero" : ""}`);
      d.dataset.group = g.group || "all";
      setText(d.querySelector(".n"), count(g.count));
      setText(d.querySelector(".label"), g.group ? LABEL[g.group] || g.group : "Tasks");
    });

    const pct = w.total > 0 ? (100 * w.replicated) / w.total : 0;
    setText($("wave-bytes"), `${bytes(w.replicated)} of ${bytes(w.total)} · ${pct.toFixed(1)}%`);
    $("wave-bytes").title = `${count(w.sized)} tasks reported a size`;
    $("wave-bytes").dataset.replicated = String(w.replicated);
    $("wave-bytes").dataset.total = String(w.total);
    const width = `${Math.min(100, pct).toFixed(2)}%`;
    if ($("wave-fill").style.width !== width) $("wave-fill").style.width = width;
    setText($("wave-rate"), speed(w.throughput));
    $("wave-rate").dataset.mbps = String(w.throughput);
    $("wave-rate").title = `${count(w.copying)} tasks copying`;
    setText($("wave-end"), w.end_estimate != null ? clock(w.end_estimate) : "—");
    setText(
      $("wave-note"),
      w.end_estimate != null ? `in ${duration((w.end_estimate - w.now) / 1000)} at this rate` : "nothing is copying",
    );
    spark($("wave-spark"), w.history);
  }

  // spark draws the throughput history as a line, scaled to its highest point, on a canvas the
  // page draws itself (no library, nothing from elsewhere).
  function spark(canvas, samples) {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(canvas.clientWidth * dpr));
    const h = Math.max(1, Math.round(canvas.clientHeight * dpr));
    if (canvas.width !== w) canvas.width = w;
    if (canvas.height !== h) canvas.height = h;
    const ctx = canvas.getContext("2d");
    ctx.clearRect(0, 0, w, h);
    canvas.dataset.points = String(samples.length);
    if (samples.length < 2) return;
    const top = Math.max(...samples.map((s) => s.mbps)) || 1;
    const t0 = samples[0].at;
    const span = samples[samples.length - 1].at - t0 || 1;
    const pad = 2 * dpr;
    const x = (s) => pad + ((s.at - t0) / span) * (w - 2 * pad);
    const y = (s) => h - pad - (s.mbps / top) * (h - 2 * pad);
    const color = getComputedStyle(canvas).color;
    ctx.beginPath();
    samples.forEach((s, i) => (i ? ctx.lineTo(x(s), y(s)) : ctx.moveTo(x(s), y(s))));
    ctx.strokeStyle = color;
    ctx.lineWidth = 2 * dpr;
    ctx.stroke();
    ctx.lineTo(x(samples[samples.length - 1]), h);
    ctx.lineTo(x(samples[0]), h);
    ctx.closePath();
    ctx.globalAlpha = 0.15;
    ctx.fillStyle = color;
    ctx.fill();
    ctx.globalAlpha = 1;
  }

  function renderWall(list) {
    wallCount = list.count;
    const ol = $("wall-rows");
    while (ol.childElementCount < WALL_ROWS) ol.append(makeWallRow());
    list.tasks.forEach((t, i) => fillWallRow(ol.children[i], t, list.now));
    for (let i = list.tasks.length; i < WALL_ROWS; i++) {
      const li = ol.children[i];
      li.hidden = true;
      delete li.dataset.id;
    }
    const pages = Math.max(1, Math.ceil(list.count / WALL_ROWS));
    const page = Math.floor(list.offset / WALL_ROWS) + 1;
    setText($("wall-page"), `Page ${page} of ${pages} · tasks ${count(list.tasks.length ? list.offset + 1 : 0)}–${count(list.offset + list.tasks.length)} of ${count(list.count)} · problems first`);
    setText($("wall-clock"), clock(list.now));
  }

  function makeWallRow() {
    const li = el("li", "wall-row");
    const c = {};
    c.name = el("div", "w-name");
    c.badges = el("div", "w-badges");
    c.badge = el("span", "badge");
    c.health = el("span", "badge health");
    c.badges.append(c.badge, c.health);
    c.step = el("div", "w-step");
    c.bar = progressBar();
    c.figure = el("div", "w-figure");
    c.note = el("div", "w-note");
    const left = el("div", "w-main");
    left.append(c.name, c.note);
    const mid = el("div", "w-progress");
    mid.append(c.step, c.bar.wrap);
    li.append(left, c.badges, mid, c.figure);
    li.c = c;
    return li;
  }

  function fillWallRow(li, t, now) {
    const c = li.c;
    li.hidden = false;
    li.dataset.id = t.id;
    li.dataset.health = t.health || "";
    setClass(li, `wall-row g-${t.group}${t.health ? ` h-${t.health} trouble` : ""}`);
    setText(c.name, t.name || "(no name)");
    c.name.title = t.id;
    setClass(c.badge, `badge g-${t.group}`);
    setText(c.badge, t.state.replaceAll("_", " ").toLowerCase());
    setHealth(c.health, t);
    if (t.current) {
      setText(c.step, t.current.name.replaceAll("_", " ").toLowerCase());
      c.bar.wrap.hidden = false;
      setProgress(c.bar, t.current.progress, t.group);
    } else {
      setText(c.step, "—");
      c.bar.wrap.hidden = true;
    }
    const moving = t.group === "running" || t.group === "syncing";
    const done = t.group === "succeeded" || t.group === "failed" || t.group === "aborted";
    let figure = "";
    let note = t.source_name || "";
    if (moving && t.copying && !t.health) figure = speed(t.migrate_speed);
    if (moving && t.copying && t.remain_seconds != null && !t.health) figure += ` · ${duration(t.remain_seconds)} left`;
    if (done) figure = ended(t, now);
    if (t.health_reason) note = t.health_reason;
    else if (t.group === "failed" && t.error_json) note = errorText(t.error_json);
    else if (t.totalsize != null && moving) note = `${bytes(t.replicatesize)} of ${bytes(t.totalsize)}${note ? ` · ${note}` : ""}`;
    else if (moving && t.last_report_date != null) note = `last report ${ago(t.last_report_date, now)}${note ? ` · ${note}` : ""}`;
    setText(c.figure, figure);
    setText(c.note, note);
  }

  // turnWallPage shows the next page of the wall, back to the first after the last.
  function turnWallPage() {
    view.wallOffset += WALL_ROWS;
    if (view.wallOffset >= wallCount) view.wallOffset = 0;
    refilter();
  }

  // --- every view in the URL --------------------------------------------------------------

  const LIMITS = [25, 50, 100, 200];

  // readURL restores the view the address names: the wall, or the tasks or sources with their
  // filters, search, page and page size.
  function readURL() {
    const q = new URLSearchParams(location.search);
    view.wall = q.get("view") === "wall";
    view.kind = q.get("view") === "sources" ? "sources" : "tasks";
    const limit = Number(q.get("limit"));
    if (LIMITS.includes(limit)) view.limit = limit;
    const offset = Number(q.get("offset"));
    const at = Number.isSafeInteger(offset) && offset > 0 ? offset : 0;
    const name = (q.get("name") || "").replace(/\p{Cc}/gu, "").trim().slice(0, 255);
    if (view.kind === "sources") {
      view.src.connected = q.get("connected") === "true";
      view.src.name = name;
      view.src.offset = at;
    } else {
      view.group = Object.hasOwn(LABEL, q.get("state") || "") ? q.get("state") : "";
      view.name = name;
      view.offset = at;
    }
    const every = Number(q.get("every"));
    if (Number.isFinite(every) && every >= 0.2 && every <= 3600) view.every = every;
  }

  // viewQuery is the query that names the current view; the defaults are left out.
  function viewQuery() {
    const q = new URLSearchParams();
    if (view.wall) {
      q.set("view", "wall");
      if (view.every !== WALL_EVERY_S) q.set("every", String(view.every));
      return q;
    }
    const sources = view.kind === "sources";
    const v = sources ? view.src : view;
    if (sources) q.set("view", "sources");
    if (!sources && view.group) q.set("state", view.group);
    if (sources && view.src.connected) q.set("connected", "true");
    if (v.name) q.set("name", v.name);
    if (v.offset) q.set("offset", String(v.offset));
    if (view.limit !== 50) q.set("limit", String(view.limit));
    return q;
  }

  function writeURL() {
    const q = viewQuery().toString();
    const url = q ? `/?${q}` : "/";
    if (location.pathname + location.search !== url) history.replaceState(null, "", url);
    // The toggle leads to the other view and back to this one.
    const toggle = $("view-toggle");
    if (view.wall) {
      setText(toggle, "Desk view");
      toggle.href = "/";
    } else {
      setText(toggle, "Wall view");
      toggle.href = "/?view=wall";
    }
  }

  // pager shows the range of the page and enables the buttons that lead somewhere.
  function pager(offset, shown, total) {
    const first = shown ? offset + 1 : 0;
    const last = offset + shown;
    setText($("range"), `${count(first)}–${count(last)} of ${count(total)}`);
    $("prev").disabled = offset === 0;
    $("next").disabled = last >= total;
  }

  // show switches the page between the tasks and the source servers.
  function show(kind) {
    view.kind = kind;
    const sources = kind === "sources";
    $("tab-tasks").setAttribute("aria-selected", String(!sources));
    $("tab-sources").setAttribute("aria-selected", String(sources));
    $("task-table").hidden = sources;
    $("chips").hidden = sources;
    $("source-table").hidden = !sources;
    $("source-chips").hidden = !sources;
    const search = $("search");
    search.value = sources ? view.src.name : view.name;
    search.placeholder = sources ? "Search source name" : "Search task name";
    $("search-label").textContent = sources ? "Search source names" : "Search task names";
    setText($("empty"), sources ? "No source server matches." : "No task matches.");
    refilter();
  }

  function toggle(id) {
    if (view.expanded.has(id)) {
      view.expanded.delete(id);
      details.delete(id);
    } else {
      view.expanded.add(id);
    }
    refilter();
    const r = rows.get(id);
    if (r) {
      const open = view.expanded.has(id);
      r.detail.hidden = !open;
      r.c.expand.firstChild.setAttribute("aria-expanded", String(open));
      setText(r.c.expand.firstChild, open ? "▾" : "▸");
      if (open) renderDetail(r, details.get(id), Date.now());
    }
  }

  // --- controls ---------------------------------------------------------------------------

  function init() {
    readURL();
    if (view.wall) {
      document.body.classList.add("wall-mode");
      $("wall").hidden = false;
      $("desk").hidden = true;
      document.querySelector(".controls").hidden = true;
      setInterval(turnWallPage, view.every * 1000);
      writeURL();
      poll();
      return;
    }
    $("search").value = view.kind === "sources" ? view.src.name : view.name;
    $("page-size").value = String(view.limit);
    let debounce = null;
    $("search").addEventListener("input", (e) => {
      clearTimeout(debounce);
      debounce = setTimeout(() => {
        // Control characters are never in a name, and smslab refuses a search holding them.
        const name = e.target.value.replace(/\p{Cc}/gu, "").trim();
        const v = view.kind === "sources" ? view.src : view;
        v.name = name;
        v.offset = 0;
        refilter();
      }, 200);
    });
    const page = () => (view.kind === "sources" ? view.src : view);
    $("prev").addEventListener("click", () => {
      page().offset = Math.max(0, page().offset - view.limit);
      refilter();
    });
    $("next").addEventListener("click", () => {
      page().offset += view.limit;
      refilter();
    });
    $("page-size").addEventListener("change", (e) => {
      view.limit = Number(e.target.value);
      view.offset = 0;
      view.src.offset = 0;
      refilter();
    });
    $("tab-tasks").addEventListener("click", () => show("tasks"));
    $("tab-sources").addEventListener("click", () => show("sources"));
    for (const b of $("source-chips").children) {
      b.addEventListener("click", () => {
        view.src.connected = b.dataset.connected === "true";
        view.src.offset = 0;
        refilter();
      });
    }
    document.addEventListener("keydown", (e) => {
      if (e.key === "/" && document.activeElement !== $("search")) {
        e.preventDefault();
        $("search").focus();
      }
    });
    if (view.kind === "sources") show("sources");
    else refilter();
  }

  init();
})();
