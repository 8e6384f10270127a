// estimative explorer: draws the graph, the menus, the headline and the side panel from data
// computed in Python. It computes no probability: in the widget, Python answers every click;
// in the offline page, every combination was computed beforehand and is only looked up.
// One `render({model, el})` serves both (anywidget's contract; the page passes a small model).

const SVGNS = "http://www.w3.org/2000/svg";

function pct(p) {
  return (100 * p).toFixed(1) + "%";
}

function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return e;
}

function s(tag, attrs, text) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function drawGraph(g, onState, onNode) {
  const svg = s("svg", {
    class: "estimative-graph", width: g.width, height: g.height,
    viewBox: `0 0 ${g.width} ${g.height}`,
  });
  const defs = s("defs");
  const marker = s("marker", {
    id: "est-arrow-js", viewBox: "0 0 8 8", refX: 7, refY: 4,
    markerWidth: 7, markerHeight: 7, orient: "auto",
  });
  marker.append(s("path", { d: "M0,0 L8,4 L0,8 z", fill: "#8a8a80" }));
  defs.append(marker);
  svg.append(defs);
  for (const e of g.edges) {
    svg.append(s("path", {
      d: e.d, fill: "none", stroke: "#8a8a80", "stroke-width": 0.9,
      "marker-end": "url(#est-arrow-js)",
    }));
  }
  const b = g.box;
  const rows = {};
  for (const nd of g.nodes) {
    const [fill, edge] = g.colors.kinds[nd.kind];
    const grp = s("g", { class: "node", "data-id": nd.id });
    const rect = s("rect", {
      x: nd.x, y: nd.y, width: nd.w, height: nd.h, rx: 4, fill, stroke: edge,
      "stroke-width": nd.kind === "outcome" ? 1.4 : 0.9, class: "box",
    });
    if (!nd.sourced) rect.setAttribute("stroke-dasharray", "4,2");
    grp.append(rect, s("title", {}, nd.id));
    nd.lines.forEach((line, i) => grp.append(s("text", {
      x: nd.x + nd.w / 2, y: nd.y + b.pad + b.line_h * (i + 1) - 3,
      "text-anchor": "middle", "font-weight": "bold", class: "label",
    }, line)));
    grp.addEventListener("click", () => onNode(nd.id));
    const top = nd.y + b.pad + b.line_h * nd.lines.length + 2;
    rows[nd.id] = nd.states.map((st, k) => {
      const ry = top + k * b.row_h;
      const row = s("g", { class: "state", "data-var": nd.id, "data-state": st });
      const hit = s("rect", {
        x: nd.x + 2, y: ry, width: nd.w - 4, height: b.row_h, fill: "transparent",
      });
      const name = s("text", { x: nd.x + b.state_x, y: ry + 10 }, st.slice(0, 13));
      const bar = s("rect", {
        class: "bar", x: nd.x + b.bar_x, y: ry + 3, width: 0, height: 8, fill: g.colors.bar,
      });
      const val = s("text", {
        class: "p", x: nd.x + nd.w - 5, y: ry + 10, "text-anchor": "end",
      }, "");
      row.append(hit, name, bar, val);
      row.addEventListener("click", (ev) => {
        ev.stopPropagation();
        onState(nd.id, st);
      });
      grp.append(row);
      return { row, name, bar, val };
    });
    svg.append(grp);
  }
  return { svg, rows };
}

function render({ model, el }) {
  const g = model.get("graph");
  const meta = model.get("meta");
  const details = model.get("details");
  const page = model.get("mode") === "page";
  el.classList.add("estimative-explore");
  el.replaceChildren();

  const set = (name, value) => {
    model.set(name, value);
    model.save_changes();
  };
  const menu = (kind, items, current) => h("div", { class: "menu " + kind },
    h("span", { class: "menu-title" }, kind === "policy" ? "Policy (do)" : "Scenario"),
    ...items.map((it) => h("button", {
      class: kind + (it.id === current ? " on" : ""), "data-id": it.id, title: it.label,
      onclick: () => set(kind, it.id),
    }, it.id || "none")));

  const head = h("div", { class: "top" },
    h("div", { class: "title" }, meta.title,
      h("span", { class: "hash" }, ` model ${meta.name}, hash ${meta.model_hash}, as of ${meta.as_of}`)));
  const menus = h("div", { class: "menus" });
  const clear = h("button", { class: "clear", onclick: () => set("evidence", {}) },
    "clear findings");
  const error = h("div", { class: "error" });
  const headline = h("div", { class: "headline" });
  const table = h("div", { class: "comparison" });
  const panel = h("div", { class: "panel" }, h("p", { class: "hint" },
    page ? "Click a node to see its table and sources." :
      "Click a state to observe it (click again to clear); click a node for its table and sources."));

  const onState = (v, st) => {
    if (page) return set("selected", v);
    const ev = Object.assign({}, model.get("evidence"));
    if (ev[v] === st) delete ev[v];
    else ev[v] = st;
    set("evidence", ev);
  };
  const { svg, rows } = drawGraph(g, onState, (v) => set("selected", v));
  const graph = h("div", { class: "graph" }, svg);
  const side = h("div", { class: "side" }, headline, table, panel);
  el.append(head, menus, error, h("div", { class: "body" }, graph, side));

  function drawMenus() {
    menus.replaceChildren(
      menu("policy", meta.policies, model.get("policy")),
      menu("scenario", meta.scenarios, model.get("scenario")));
    if (!page) menus.append(clear);
  }

  function drawView() {
    const view = model.get("view") || {};
    error.textContent = view.error || "";
    if (!view.marginals) return;
    const fixed = view.fixed || {};
    for (const nd of g.nodes) {
      const probs = view.marginals[nd.id];
      rows[nd.id].forEach((r, k) => {
        const on = fixed[nd.id] === nd.states[k];
        r.bar.setAttribute("width", (g.box.bar_w * probs[k]).toFixed(1));
        r.bar.setAttribute("fill", on ? g.colors.fixed : g.colors.bar);
        r.name.setAttribute("font-weight", on ? "bold" : "normal");
        r.val.textContent = pct(probs[k]);
        r.row.setAttribute("data-p", probs[k]);
      });
    }
    const level = model.get("level");
    headline.replaceChildren(h("h4", {}, "Headline outcomes"), ...(view.headline || []).map((row) => {
      const o = meta.outcomes.find((x) => x.id === row.id);
      const iv = row.low === undefined || row.low === null ? "" :
        ` (${Math.round(100 * level)}% interval ${pct(row.low)} to ${pct(row.high)})`;
      return h("div", { class: "outcome" }, h("span", { class: "label" }, o.label + ": "),
        h("span", { class: "headline-p", "data-outcome": row.id, "data-p": row.point }, pct(row.point)),
        h("span", { class: "interval" }, iv));
    }));
    drawTable();
  }

  function drawTable() {
    const combos = model.get("combos");
    if (!combos) return;
    const sc = model.get("scenario");
    const cur = model.get("policy");
    const hdr = h("tr", {}, h("th", {}, "policy"), ...meta.outcomes.map((o) => h("th", {}, o.id)));
    const body = meta.policies.map((p) => {
      const c = combos[p.id + "|" + sc] || {};
      return h("tr", { class: p.id === cur ? "on" : "", "data-policy": p.id }, h("td", {}, p.id),
        ...meta.outcomes.map((o, i) => h("td", {}, c.headline ? pct(c.headline[i].point) : "-")));
    });
    table.replaceChildren(h("h4", {}, "Every policy" + (sc ? `, scenario ${sc}` : "")),
      h("table", {}, hdr, ...body));
  }

  function drawPanel() {
    const v = model.get("selected");
    if (!v || !details[v]) return;
    const d = details[v];
    const kids = [h("h4", {}, d.label), h("p", { class: "id" }, `${d.id} (${d.kind}, ${d.form})`)];
    if (d.description) kids.push(h("p", {}, d.description));
    const ivs = (model.get("interval") || {})[v];
    if (ivs) {
      kids.push(h("table", { class: "iv" }, h("tr", {}, h("th", {}, "state"), h("th", {}, "P"),
        h("th", {}, `${Math.round(100 * model.get("level"))}% interval`)),
        ...ivs.map((r) => h("tr", {}, h("td", {}, r.state), h("td", {}, pct(r.point)),
          h("td", {}, `${pct(r.low)} to ${pct(r.high)}`)))));
    }
    kids.push(h("table", { class: "cpt" },
      h("tr", {}, h("th", {}, d.parents.join(", ") || ""), ...d.states.map((x) => h("th", {}, x))),
      ...d.cpt.map((r) => h("tr", {}, h("td", {}, r.when), ...r.probs.map((p) => h("td", {}, p.toFixed(3)))))));
    const prov = [d.assumption ? "An analyst's assumption." : d.sourced ? "Rests on quoted sources." :
      "No quoted source."];
    if (d.strength !== null && d.strength !== undefined) prov.push(` Strength ${d.strength}.`);
    kids.push(h("p", { class: "prov" }, ...prov));
    if (d.rationale) kids.push(h("p", { class: "rationale" }, d.rationale));
    for (const c of d.sources) {
      kids.push(h("blockquote", {}, `“${c.quote}”`, h("cite", {}, ` ${c.title}`)));
    }
    panel.replaceChildren(...kids);
  }

  drawMenus();
  drawView();
  drawPanel();
  model.on("change:view", drawView);
  model.on("change:policy", () => { drawMenus(); drawTable(); });
  model.on("change:scenario", () => { drawMenus(); drawTable(); });
  model.on("change:selected", drawPanel);
  model.on("change:interval", drawPanel);
}

// The offline page's model: the same get/set/on as a widget's, over the embedded combinations.
function pageModel(data) {
  const state = { policy: data.meta.policies[0].id, scenario: "", selected: "", mode: "page" };
  const listeners = {};
  const fire = (name) => (listeners["change:" + name] || []).forEach((f) => f());
  const lookup = () => {
    const c = data.combos[state.policy + "|" + state.scenario];
    state.view = c || { error: "no numbers for this combination" };
  };
  lookup();
  return {
    get: (k) => (k in state ? state[k] : data[k]),
    set: (k, v) => {
      state[k] = v;
      fire(k);
      if (k === "policy" || k === "scenario") {
        lookup();
        fire("view");
      }
    },
    save_changes: () => {},
    on: (ev, f) => (listeners[ev] = listeners[ev] || []).push(f),
  };
}
