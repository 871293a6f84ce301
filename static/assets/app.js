// smslab status page. It polls two small JSON endpoints every second (docs/status-page.md) and
// builds every element from text: no innerHTML, no inline script or style, so a task named
// <img src=x onerror=...> is shown as those characters and runs nothing. Two views share the
// page: the tasks, and the source servers their agents registered.
"use strict";

(() => {
  const POLL_MS = 1000; // a progress report shows within this plus one request
  const TIMEOUT_MS = 4000; // a request slower than this counts as "cannot reach"
  const STALE_REPORT_MS = 5 * 60 * 1000; // a moving task silent this long is flagged
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
  };
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

  async function poll() {
    const gen = generation;
    let next = POLL_MS;
    try {
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

    c.subName = el("div", "sub-name");
    c.bar = progressBar();
    c.progress.append(c.subName, c.bar.wrap);

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
    setText(c.speed, moving ? speed(t.migrate_speed) : "—");
    setText(c.size, t.totalsize != null ? `${bytes(t.replicatesize)} / ${bytes(t.totalsize)}` : "—");
    setText(c.remain, t.remain_seconds != null ? duration(t.remain_seconds) : "—");
    setText(c.report, ago(t.last_report_date, now));
    c.report.classList.toggle("late", moving && t.last_report_date != null && now - t.last_report_date > STALE_REPORT_MS);

    const open = view.expanded.has(t.id);
    const btn = c.expand.firstChild;
    btn.setAttribute("aria-expanded", String(open));
    setText(btn, open ? "▾" : "▸");
    r.detail.hidden = !open;
    if (open) renderDetail(r, details.get(t.id), now);
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
    poll();
  }

  init();
})();
