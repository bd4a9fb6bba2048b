// Offline structure check of a Terraform module (no terraform binary here): parses every .tf with
// @cdktf/hcl2json and checks what can be checked without a provider:
//   - every variable has a type and a description, and every non-bool variable a validation block;
//   - every reference (var., local., data., module., <provider>_<type>.<name>) points at a declaration,
//     and every variable and local is used;
//   - every output has a description; providers are pinned (source + exact or patch-level version);
//   - the security-group rules are exactly the port matrix table in README.md, created by one rule
//     resource that takes every field from the matrix, and the matrix keeps its policy
//     (only HTTP/HTTPS to the LBs from anywhere, VRRP only between LBs);
//   - server groups are anti-affinity per role and every instance is scheduled into its role's group;
//     the LB ports allow the VIP (allowed_address_pairs); templatefile() targets exist.
// Usage: node check-terraform.mjs MODULE_DIR... Prints one line per problem and a summary line per
// module ("...: ok" or "...: N problem(s)"); exit 1 if any module has a problem, else 0.
import fs from "node:fs";
import path from "node:path";
import { parse } from "@cdktf/hcl2json";

const dirs = process.argv.slice(2);
if (dirs.length === 0 || dirs[0] === "-h" || dirs[0] === "--help") {
  console.error("usage: node check-terraform.mjs MODULE_DIR... (one node process checks several modules)");
  process.exit(dirs.length ? 0 : 2);
}

async function checkModule(dir) {
  const problems = [];
  const problem = (msg) => problems.push(msg);

  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".tf")).sort();
  if (files.length === 0) problem(`no .tf files in ${dir}`);

  // Declarations, merged over all files; each block keeps the file it came from.
  const decl = { variable: {}, output: {}, locals: {}, resource: {}, data: {}, module: {}, terraform: [] };
  const exprs = []; // [file, where, string]
  for (const file of files) {
    let doc;
    try {
      doc = await parse(file, fs.readFileSync(path.join(dir, file), "utf8"));
    } catch (e) {
      problem(`${file}: does not parse: ${e.message ?? e}`);
      continue;
    }
    for (const [kind, body] of Object.entries(doc)) {
      if (kind === "variable" || kind === "output" || kind === "module") {
        for (const [name, blocks] of Object.entries(body)) {
          if (decl[kind][name]) problem(`${file}: ${kind} "${name}" declared twice`);
          decl[kind][name] = { file, body: blocks[0] };
        }
      } else if (kind === "locals") {
        for (const block of body) {
          for (const [name, value] of Object.entries(block)) {
            if (name in decl.locals) problem(`${file}: local "${name}" declared twice`);
            decl.locals[name] = { file, body: value };
          }
        }
      } else if (kind === "resource" || kind === "data") {
        for (const [type, byName] of Object.entries(body)) {
          for (const [name, blocks] of Object.entries(byName)) {
            const key = `${type}.${name}`;
            if (decl[kind][key]) problem(`${file}: ${kind} ${key} declared twice`);
            decl[kind][key] = { file, type, name, body: blocks[0] };
          }
        }
      } else if (kind === "terraform") {
        decl.terraform.push(...body.map((b) => ({ file, body: b })));
      } else if (kind !== "provider") {
        problem(`${file}: unexpected top-level block "${kind}"`);
      }
    }
    collectStrings(doc, file, "", exprs);
  }

  function collectStrings(node, file, where, out) {
    if (typeof node === "string") out.push([file, where, node]);
    else if (Array.isArray(node)) node.forEach((n) => collectStrings(n, file, where, out));
    else if (node && typeof node === "object") {
      for (const [k, v] of Object.entries(node)) {
        // lifecycle { ignore_changes = [user_data] } names the block's own attributes, not references.
        if (k === "ignore_changes") continue;
        collectStrings(v, file, where ? `${where}.${k}` : k, out);
      }
    }
  }

  // The text of every ${ ... } interpolation (balanced braces; string literals without interpolation
  // removed so that "0.0.0.0/0" or "cloud-init.yaml.tftpl" never look like references).
  function interpolations(s) {
    const out = [];
    for (let i = s.indexOf("${"); i >= 0; i = s.indexOf("${", i + 1)) {
      let depth = 0;
      let j = i + 1;
      for (; j < s.length; j++) {
        if (s[j] === "{") depth++;
        else if (s[j] === "}" && --depth === 0) break;
      }
      out.push(s.slice(i + 2, j).replace(/"(?:[^"\\$]|\\.)*"/g, '""'));
      i = j;
    }
    return out;
  }

  // --- providers pinned ------------------------------------------------------------------------------
  const providers = {};
  for (const { file, body } of decl.terraform) {
    if (!body.required_version) problem(`${file}: terraform block without required_version`);
    for (const rp of body.required_providers ?? []) {
      for (const [name, spec] of Object.entries(rp)) {
        providers[name] = spec;
        if (typeof spec !== "object" || !spec.source) problem(`${file}: provider "${name}" has no source`);
        if (!/^(= ?|~> ?)?\d+\.\d+\.\d+$/.test(spec.version ?? "")) {
          problem(`${file}: provider "${name}" version "${spec.version ?? ""}" is not pinned (want "= X.Y.Z" or "~> X.Y.Z")`);
        }
      }
    }
  }
  if (Object.keys(providers).length === 0) problem("no required_providers: providers are not pinned");
  for (const r of [...Object.values(decl.resource), ...Object.values(decl.data)]) {
    const prefix = r.type.split("_")[0];
    if (!providers[prefix]) problem(`${r.file}: ${r.type}.${r.name} uses provider "${prefix}", not in required_providers`);
  }

  // --- variables and outputs ---------------------------------------------------------------------------
  for (const [name, { file, body }] of Object.entries(decl.variable)) {
    if (!body.type) problem(`${file}: variable "${name}" has no type`);
    if (!body.description || !String(body.description).trim()) problem(`${file}: variable "${name}" has no description`);
    if (body.type !== "${bool}" && !(body.validation && body.validation.length)) {
      problem(`${file}: variable "${name}" has no validation block`);
    }
    for (const v of body.validation ?? []) {
      if (!v.condition || !String(v.condition).includes(`var.${name}`)) problem(`${file}: a validation of "${name}" does not test var.${name}`);
      if (!v.error_message) problem(`${file}: a validation of "${name}" has no error_message`);
    }
  }
  for (const [name, { file, body }] of Object.entries(decl.output)) {
    if (!body.description) problem(`${file}: output "${name}" has no description`);
    if (body.value === undefined) problem(`${file}: output "${name}" has no value`);
  }

  // --- references ---------------------------------------------------------------------------------------
  const used = { var: new Set(), local: new Set() };
  const providerPrefixes = Object.keys(providers).join("|") || "(?!)";
  const refRe = new RegExp(
    String.raw`(?<![\w.])(?:(var|local|module)\.([A-Za-z_][\w-]*)|data\.([A-Za-z_]\w*)\.([A-Za-z_][\w-]*)|((?:${providerPrefixes})_\w+)\.([A-Za-z_][\w-]*))`,
    "g");
  for (const [file, where, s] of exprs) {
    for (const expr of interpolations(s)) {
      for (const m of expr.matchAll(refRe)) {
        if (m[1] === "var") {
          // A variable's own validation does not count as a use.
          if (!where.startsWith("variable.")) used.var.add(m[2]);
          if (!decl.variable[m[2]]) problem(`${file}: ${where}: var.${m[2]} is not a declared variable`);
        } else if (m[1] === "local") {
          used.local.add(m[2]);
          if (!(m[2] in decl.locals)) problem(`${file}: ${where}: local.${m[2]} is not a declared local`);
        } else if (m[1] === "module") {
          if (!decl.module[m[2]]) problem(`${file}: ${where}: module.${m[2]} is not a declared module`);
        } else if (m[3]) {
          if (!decl.data[`${m[3]}.${m[4]}`]) problem(`${file}: ${where}: data.${m[3]}.${m[4]} is not a declared data source`);
        } else if (m[5]) {
          if (!decl.resource[`${m[5]}.${m[6]}`]) problem(`${file}: ${where}: ${m[5]}.${m[6]} is not a declared resource`);
        }
      }
      // templatefile("${path.module}/X", ...) must name a file of the module.
      for (const m of expr.matchAll(/templatefile\(\s*"\$\{path\.module\}\/([^"]+)"/g)) {
        if (!fs.existsSync(path.join(dir, m[1]))) problem(`${file}: ${where}: templatefile target ${m[1]} does not exist`);
      }
    }
    for (const m of s.matchAll(/templatefile\("\$\{path\.module\}\/([^"]+)"/g)) {
      if (!fs.existsSync(path.join(dir, m[1]))) problem(`${file}: ${where}: templatefile target ${m[1]} does not exist`);
    }
  }
  for (const name of Object.keys(decl.variable)) if (!used.var.has(name)) problem(`variable "${name}" is never used`);
  for (const name of Object.keys(decl.locals)) if (!used.local.has(name)) problem(`local "${name}" is never used`);

  // --- port matrix: README table == local.port_matrix == the rules created ------------------------------
  const rowKey = (r) => `${r.to} ${r.protocol} ${r.ports || "-"} from ${r.from}`;
  const readmePath = path.join(dir, "README.md");
  const tableRows = [];
  if (!fs.existsSync(readmePath)) problem("README.md with the port matrix table is missing");
  else {
    const lines = fs.readFileSync(readmePath, "utf8").split("\n");
    const start = lines.findIndex((l) => /^#+\s+Port matrix/i.test(l));
    if (start < 0) problem("README.md: no '## Port matrix' section");
    let header = null;
    for (let i = start + 1; start >= 0 && i < lines.length && !/^#/.test(lines[i]); i++) {
      if (!lines[i].startsWith("|")) continue;
      const cells = lines[i].split("|").slice(1, -1).map((c) => c.trim().replace(/^`|`$/g, ""));
      if (!header) { header = cells.map((c) => c.toLowerCase()); continue; }
      if (cells.every((c) => /^:?-+:?$/.test(c))) continue;
      const row = Object.fromEntries(header.map((h, k) => [h, cells[k]]));
      tableRows.push({ to: row.to, protocol: row.protocol, ports: row.ports === "-" ? "" : row.ports, from: row.from });
    }
    if (header && !["to", "protocol", "ports", "from"].every((h) => header.includes(h))) {
      problem(`README.md: port matrix header must have columns to, protocol, ports, from (has: ${header.join(", ")})`);
    }
    if (tableRows.length === 0) problem("README.md: the port matrix table has no rows");
  }
  // The hosts' nftables (ansible/roles/firewall) apply the same rows from a JSON file next to the role.
  const fwPath = process.env.LOOMGATE_FIREWALL_MATRIX
    ?? new URL("../../ansible/roles/firewall/files/port-matrix.json", import.meta.url).pathname;
  if (!fs.existsSync(fwPath)) problem(`${fwPath}: the firewall role's port matrix is missing`);
  else {
    let fwRows = [];
    try { fwRows = JSON.parse(fs.readFileSync(fwPath, "utf8")).rows ?? []; }
    catch (e) { problem(`${fwPath}: not JSON (${e.message})`); }
    const inFw = new Set(fwRows.map(rowKey));
    const inReadme = new Set(tableRows.map(rowKey));
    for (const k of inReadme) if (!inFw.has(k)) problem(`port matrix: README row "${k}" is missing from the firewall role's port-matrix.json`);
    for (const k of inFw) if (!inReadme.has(k)) problem(`port matrix: row "${k}" of the firewall role's port-matrix.json is not in README.md's table`);
  }
  const matrix = decl.locals.port_matrix?.body;
  if (!Array.isArray(matrix)) problem("local.port_matrix must be a literal list of rows (the README table's twin)");
  else {
    const inTf = new Set(matrix.map(rowKey));
    const inReadme = new Set(tableRows.map(rowKey));
    if (inTf.size !== matrix.length) problem("local.port_matrix has duplicate rows");
    for (const k of inReadme) if (!inTf.has(k)) problem(`port matrix: README row "${k}" has no rule in local.port_matrix`);
    for (const k of inTf) if (!inReadme.has(k)) problem(`port matrix: rule "${k}" in local.port_matrix is not in README.md's table`);
    const roles = new Set(Object.keys(decl.locals.role_base?.body ?? {}));
    for (const r of matrix) {
      if (!roles.has(r.to)) problem(`port matrix: "${rowKey(r)}": "${r.to}" is not a role (local.role_base)`);
      if (!roles.has(r.from) && !["any", "admin"].includes(r.from)) problem(`port matrix: "${rowKey(r)}": source "${r.from}" is not a role, any or admin`);
      if (!["tcp", "udp", "vrrp"].includes(r.protocol)) problem(`port matrix: "${rowKey(r)}": protocol must be tcp, udp or vrrp`);
      if (r.protocol === "vrrp" ? r.ports !== "" : !/^\d+(-\d+)?$/.test(r.ports)) problem(`port matrix: "${rowKey(r)}": bad ports "${r.ports}"`);
      if (r.from === "any" && !(r.to === "lbs" && ["80", "443"].includes(r.ports) && r.protocol === "tcp")) {
        problem(`port matrix: "${rowKey(r)}": only HTTP/HTTPS to the LBs may be open to anywhere`);
      }
      if (r.protocol === "vrrp" && !(r.to === "lbs" && r.from === "lbs")) problem(`port matrix: "${rowKey(r)}": VRRP only between the LBs`);
      if (r.ports === "22" && r.from !== "admin") problem(`port matrix: "${rowKey(r)}": SSH only from the admin CIDR`);
    }
  }
  const ruleResources = Object.values(decl.resource).filter((r) => r.type === "openstack_networking_secgroup_rule_v2");
  if (ruleResources.length !== 1) {
    problem(`exactly one openstack_networking_secgroup_rule_v2 resource must create the rules (found ${ruleResources.length})`);
  } else {
    const b = ruleResources[0].body;
    const expect = {
      for_each: /^\$\{local\.port_rules\}$/,
      security_group_id: /each\.value\.to\b/,
      protocol: /each\.value\.protocol\b/,
      port_range_min: /each\.value\.ports\b/,
      port_range_max: /each\.value\.ports\b/,
      remote_ip_prefix: /each\.value\.from\b/,
      remote_group_id: /each\.value\.from\b/,
      direction: /^ingress$/,
    };
    for (const [attr, re] of Object.entries(expect)) {
      if (!re.test(String(b[attr] ?? ""))) problem(`${ruleResources[0].file}: rule resource: ${attr} = "${b[attr] ?? ""}" does not take it from the matrix (want ${re})`);
    }
    if (!/for\s+\w+\s+in\s+local\.port_matrix\b/.test(String(decl.locals.port_rules?.body ?? ""))) {
      problem("local.port_rules is not built from local.port_matrix");
    }
  }

  // --- anti-affinity and the VIP -------------------------------------------------------------------------
  const groups = Object.values(decl.resource).filter((r) => r.type === "openstack_compute_servergroup_v2");
  if (!groups.some((g) => (g.body.policies ?? []).includes("anti-affinity") && /var\.roles/.test(g.body.for_each ?? ""))) {
    problem("no anti-affinity server group per role (openstack_compute_servergroup_v2 for_each var.roles)");
  }
  for (const inst of Object.values(decl.resource).filter((r) => r.type === "openstack_compute_instance_v2")) {
    const hint = JSON.stringify(inst.body.scheduler_hints ?? "");
    if (!/openstack_compute_servergroup_v2\.\w+\[each\.value\.role\]/.test(hint)) problem(`${inst.file}: ${inst.type}.${inst.name} is not scheduled into its role's server group`);
  }
  const ports = Object.values(decl.resource).filter((r) => r.type === "openstack_networking_port_v2");
  if (!ports.some((p) => /allowed_address_pairs/.test(JSON.stringify(p.body)) && /vip_address/.test(JSON.stringify(p.body)))) {
    problem("no port allows the VIP (allowed_address_pairs with local.vip_address)");
  }


  const summary = `${files.length} files, ${Object.keys(decl.variable).length} variables, ` +
    `${Object.keys(decl.resource).length} resources, ${Array.isArray(matrix) ? matrix.length : 0} port-matrix rows`;
  return { problems, summary };
}

let bad = 0;
for (const dir of dirs) {
  const { problems, summary } = await checkModule(dir);
  for (const p of problems) console.log(`check-terraform: ${dir}: ${p}`);
  console.log(`check-terraform: ${dir}: ${summary}: ` + (problems.length ? `${problems.length} problem(s)` : "ok"));
  if (problems.length) bad++;
}
process.exit(bad ? 1 : 0);
