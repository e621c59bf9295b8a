/*
 * Health Cyber Portal search client: queries the browser index exported from Tantivy
 * (search/<lang>/index.js and its shards), offline, on file:// and over HTTP.
 *
 * A classic script with no dependencies. Shards are classic scripts too: each calls
 * window.__portalSearch.register(lang, id, data) (no fetch, no eval, no modules, which
 * Chromium blocks on file://). The query rules mirror src/search/query.rs rule for rule, and
 * scoring mirrors Tantivy's BM25 in f32 (Math.fround after every operation), so the top
 * results equal `portal search`; tests/js/parity.mjs checks it.
 *
 * Exposes globalThis.PortalSearch = { createEngine, analyze, decodeVarints, highlight,
 * excerpt } for tests, and wires the search box and the search page when a document exists.
 */
(function (global) {
  'use strict';

  // The header box and the search page may both include this script: run it once.
  if (global.PortalSearch) return;

  var f = Math.fround;
  var K1 = f(1.2);
  var B = f(0.75);
  var ONE_PLUS_K1 = f(1 + K1);
  var ONE_MINUS_B = f(1 - B);
  var FORMAT_VERSION = 2;
  var HASH_CHARS = 10;

  // Tantivy's field norm table: field norm id -> approximate token count (fieldnorm/code.rs).
  var FIELDNORM_TABLE = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
    26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 42, 44, 46, 48, 50, 52, 54, 56, 60,
    64, 68, 72, 76, 80, 84, 88, 96, 104, 112, 120, 128, 136, 144, 152, 168, 184, 200, 216, 232, 248,
    264, 280, 312, 344, 376, 408, 440, 472, 504, 536, 600, 664, 728, 792, 856, 920, 984, 1048, 1176,
    1304, 1432, 1560, 1688, 1816, 1944, 2072, 2328, 2584, 2840, 3096, 3352, 3608, 3864, 4120, 4632,
    5144, 5656, 6168, 6680, 7192, 7704, 8216, 9240, 10264, 11288, 12312, 13336, 14360, 15384, 16408,
    18456, 20504, 22552, 24600, 26648, 28696, 30744, 32792, 36888, 40984, 45080, 49176, 53272,
    57368, 61464, 65560, 73752, 81944, 90136, 98328, 106520, 114712, 122904, 131096, 147480, 163864,
    180248, 196632, 213016, 229400, 245784, 262168, 294936, 327704, 360472, 393240, 426008, 458776,
    491544, 524312, 589848, 655384, 720920, 786456, 851992, 917528, 983064, 1048600, 1179672,
    1310744, 1441816, 1572888, 1703960, 1835032, 1966104, 2097176, 2359320, 2621464, 2883608,
    3145752, 3407896, 3670040, 3932184, 4194328, 4718616, 5242904, 5767192, 6291480, 6815768,
    7340056, 7864344, 8388632, 9437208, 10485784, 11534360, 12582936, 13631512, 14680088, 15728664,
    16777240, 18874392, 20971544, 23068696, 25165848, 27263000, 29360152, 31457304, 33554456,
    37748760, 41943064, 46137368, 50331672, 54525976, 58720280, 62914584, 67108888, 75497496,
    83886104, 92274712, 100663320, 109051928, 117440536, 125829144, 134217752, 150994968, 167772184,
    184549400, 201326616, 218103832, 234881048, 251658264, 268435480, 301989912, 335544344,
    369098776, 402653208, 436207640, 469762072, 503316504, 536870936, 603979800, 671088664,
    738197528, 805306392, 872415256, 939524120, 1006632984, 1073741848, 1207959576, 1342177304,
    1476395032, 1610612760, 1744830488, 1879048216, 2013265944
  ];

  /* ---------- analysis: the first half of the Tantivy chain ---------- */

  var ALNUM = /[\p{Alphabetic}\p{N}]/u;

  // The same ranges as is_cjk_char in src/search/analyzer.rs.
  function isCjk(cp) {
    return (cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x3005 && cp <= 0x3007) ||
      (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x3130 && cp <= 0x318F) ||
      (cp >= 0x31F0 && cp <= 0x31FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
      (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA960 && cp <= 0xA97F) ||
      (cp >= 0xAC00 && cp <= 0xD7FF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
      (cp >= 0xFF66 && cp <= 0xFF9F) || (cp >= 0x20000 && cp <= 0x3FFFF);
  }

  function utf8Length(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xD800 && c <= 0xDBFF) { n += 4; i++; }
      else n += 3;
    }
    return n;
  }

  // Tantivy's LowerCaser: character by character, without the final-sigma rule.
  function lower(s) {
    var out = '';
    for (var ch of s) out += ch.toLowerCase();
    return out;
  }

  /**
   * Surface forms of `text`: tokens up to lowercasing, with UTF-16 offsets.
   * mode "simple": runs of letters and digits (Tantivy's SimpleTokenizer);
   * mode "cjk": Han, kana and Hangul runs as overlapping bigrams (a lone character stays),
   * other runs of letters and digits whole. Tokens of 40 UTF-8 bytes or more are dropped.
   */
  function analyze(text, mode) {
    var chars = [];
    var offset = 0;
    for (var ch of text) {
      var cp = ch.codePointAt(0);
      var cls = 0;
      if (ALNUM.test(ch)) cls = (mode === 'cjk' && isCjk(cp)) ? 2 : 1;
      chars.push({ ch: ch, from: offset, cls: cls });
      offset += ch.length;
    }
    var out = [];
    var push = function (from, to, cjk) {
      var raw = text.slice(from, to);
      if (utf8Length(raw) < 40) out.push({ text: lower(raw), from: from, to: to, cjk: cjk });
    };
    var end = function (k) { return k < chars.length ? chars[k].from : text.length; };
    var i = 0;
    while (i < chars.length) {
      var cls2 = chars[i].cls;
      var j = i + 1;
      while (j < chars.length && chars[j].cls === cls2) j++;
      if (cls2 === 1) push(chars[i].from, end(j), false);
      else if (cls2 === 2) {
        if (j - i === 1) push(chars[i].from, end(j), true);
        else for (var k = i; k < j - 1; k++) push(chars[k].from, end(k + 2), true);
      }
      i = j;
    }
    return out;
  }

  /* ---------- data decoding ---------- */

  var VARINT_VALUE = (function () {
    var alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    var table = {};
    for (var i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
    return table;
  })();

  /** Decodes base-64 varints (5 payload bits per character, low bits first). */
  function decodeVarints(s) {
    var out = [];
    var value = 0;
    var shift = 1;
    for (var i = 0; i < s.length; i++) {
      var v = VARINT_VALUE[s.charCodeAt(i)];
      value += (v & 31) * shift;
      if (v & 32) { shift *= 32; } else { out.push(value); value = 0; shift = 1; }
    }
    return out;
  }

  function float32FromBits(bits) {
    var view = new DataView(new ArrayBuffer(4));
    view.setUint32(0, bits);
    return view.getFloat32(0);
  }

  // A manifest shard table {first: varint deltas, hashes: end to end} as [[first, hash], ...]
  // (see shard_table in src/search/export.rs).
  function shardTable(table) {
    var deltas = decodeVarints(table.first);
    var rows = [];
    var first = 0;
    for (var i = 0; i < deltas.length; i++) {
      first += deltas[i];
      rows.push([first, table.hashes.substr(i * HASH_CHARS, HASH_CHARS)]);
    }
    return rows;
  }

  // Last index i with key(items[i]) <= target (0 when none): the shard that may hold target.
  function shardIndex(items, target) {
    var lo = 0, hi = items.length - 1, found = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (items[mid][0] <= target) { found = mid; lo = mid + 1; } else hi = mid - 1;
    }
    return found;
  }

  // Metadata rows: [url, section, text, title, kind, audience], or [#fragment, section, text]
  // for another section of the previous row's page (see meta_rows in src/search/export.rs).
  function expandMeta(data) {
    var docs = [];
    var prev = null;
    data.docs.forEach(function (r) {
      var d = r.length === 3 && prev
        ? { url: prev.url.split('#')[0] + r[0], section: r[1], text: r[2], title: prev.title, kind: prev.kind, audience: prev.audience }
        : { url: r[0], section: r[1], text: r[2], title: r[3], kind: r[4], audience: r[5] };
      docs.push(d);
      prev = d;
    });
    return { first: data.first, docs: docs };
  }

  /* ---------- registry: shards announce themselves here ---------- */

  var registry = global.__portalSearch && global.__portalSearch.registry || new Map();
  function slot(lang, id) {
    var key = lang + '\n' + id;
    var s = registry.get(key);
    if (!s) {
      s = {};
      s.promise = new Promise(function (resolve, reject) { s.resolve = resolve; s.reject = reject; });
      registry.set(key, s);
    }
    return s;
  }
  global.__portalSearch = {
    registry: registry,
    register: function (lang, id, data) {
      var s = slot(String(lang), String(id));
      s.done = true;
      s.resolve(data);
    }
  };

  /* ---------- engine ---------- */

  /**
   * A search engine over the browser index of one language.
   * requestScript(path) must cause the classic script at `path` (relative to the site root)
   * to run once; it may return a Promise that rejects when loading fails.
   */
  function createEngine(lang, requestScript) {
    var requested = new Map();
    var manifest = null;
    var dictShards = new Map();
    var postingShards = new Map();
    var metaBatches = new Map();
    var filterDocs = new Map();
    var statsCache = null;
    var loaded = [];

    function load(id, path) {
      if (requested.has(id)) return requested.get(id);
      var s = slot(lang, id);
      loaded.push(path);
      // A script that ran without registering (a stale or foreign file) must not hang the query.
      var p = Promise.resolve(requestScript(path)).then(function () {
        return s.done ? s.promise : Promise.reject(new Error(path + ' did not register'));
      });
      requested.set(id, p);
      return p;
    }
    function file(prefix, hash) { return 'search/' + lang + '/' + prefix + '-' + hash + '.js'; }

    function ready() {
      if (manifest) return Promise.resolve(manifest);
      return load('manifest', 'search/' + lang + '/index.js').then(function (m) {
        if (!m || m.version !== FORMAT_VERSION) throw new Error('search index format mismatch');
        // A copy: the registered manifest is shared by every engine of the page.
        manifest = Object.assign({}, m, { postings: shardTable(m.postings), meta: shardTable(m.meta) });
        return manifest;
      });
    }

    function dictShard(i) {
      if (dictShards.has(i)) return Promise.resolve(dictShards.get(i));
      return load('d' + i, file('d', manifest.dict[i][1])).then(function (rows) {
        var map = new Map();
        for (var r = 0; r < rows.length; r++) map.set(rows[r][0], rows[r]);
        var shard = { rows: rows, map: map };
        dictShards.set(i, shard);
        return shard;
      });
    }

    function postingShard(i) {
      if (postingShards.has(i)) return Promise.resolve(postingShards.get(i));
      return load('p' + i, file('p', manifest.postings[i][1])).then(function (data) {
        postingShards.set(i, data);
        return data;
      });
    }

    function metaBatch(i) {
      if (metaBatches.has(i)) return Promise.resolve(metaBatches.get(i));
      return load('m' + i, file('m', manifest.meta[i][1])).then(function (data) {
        var batch = expandMeta(data);
        metaBatches.set(i, batch);
        return batch;
      });
    }

    function filterSet(name, value) {
      var key = name + ':' + value;
      if (filterDocs.has(key)) return Promise.resolve(filterDocs.get(key));
      var entry = (manifest.filters[name] || []).find(function (e) { return e[0] === value; });
      if (!entry) { filterDocs.set(key, new Set()); return Promise.resolve(filterDocs.get(key)); }
      return load('f:' + key, file('f', entry[2])).then(function (encoded) {
        var deltas = decodeVarints(encoded);
        var set = new Set();
        var doc = 0;
        for (var i = 0; i < deltas.length; i++) { doc = i === 0 ? deltas[0] : doc + deltas[i]; set.add(doc); }
        filterDocs.set(key, set);
        return set;
      });
    }

    // Dictionary rows of keys starting with `prefix` (contiguous in UTF-16 order).
    function prefixRows(prefix) {
      var rows = [];
      function scan(i) {
        return dictShard(i).then(function (shard) {
          for (var r = 0; r < shard.rows.length; r++) {
            var key = shard.rows[r][0];
            if (key.startsWith(prefix)) rows.push(shard.rows[r]);
          }
          var next = i + 1;
          if (next < manifest.dict.length && manifest.dict[next][0].startsWith(prefix)) return scan(next);
          return rows;
        });
      }
      return scan(shardIndex(manifest.dict, prefix));
    }

    /** The weighted terms of a query: [{term, weight}] (see src/search/query.rs). */
    function plan(query) {
      return ready().then(function (m) {
        if (!m.dict.length) return [];
        var surfaces = analyze(query, m.tokenizer);
        var last = surfaces[surfaces.length - 1];
        var isPrefix = false;
        if (last && last.to === query.length) {
          var chars = Array.from(last.text).length;
          isPrefix = last.cjk ? chars === 1 : chars >= m.prefix.minChars;
        }
        var shards = new Set(surfaces.map(function (s) { return shardIndex(m.dict, s.text); }));
        return Promise.all(Array.from(shards).map(dictShard)).then(function () {
          return isPrefix ? prefixRows(last.text) : [];
        }).then(function (expansionRows) {
          var seen = new Set();
          var planned = [];
          surfaces.forEach(function (s) {
            var row = dictShards.get(shardIndex(m.dict, s.text)).map.get(s.text);
            if (!row) return;
            for (var k = 1; k < row.length; k += 2) {
              if (!seen.has(row[k])) { seen.add(row[k]); planned.push({ term: row[k], weight: 1 }); }
            }
          });
          var candidates = new Map();
          expansionRows.forEach(function (row) {
            for (var k = 1; k < row.length; k += 2) {
              if (!seen.has(row[k])) candidates.set(row[k], row[k + 1]);
            }
          });
          var expansions = Array.from(candidates.entries());
          expansions.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
          expansions.slice(0, m.prefix.maxTerms).forEach(function (e) {
            planned.push({ term: e[0], weight: f(m.prefix.boost) });
          });
          return planned;
        });
      });
    }

    function stats() {
      if (statsCache) return statsCache;
      var n = manifest.docs;
      var fix = new Map(manifest.idfFix.map(function (e) { return [e[0], float32FromBits(e[1])]; }));
      var idfCache = new Map();
      var fields = manifest.fields.map(function (field) {
        var avg = f(f(field[2]) / f(n));
        var norms = new Float64Array(256);
        for (var id = 0; id < 256; id++) {
          norms[id] = f(K1 * f(ONE_MINUS_B + f(f(B * f(FIELDNORM_TABLE[id])) / avg)));
        }
        return { name: field[0], boost: f(field[1]), norms: norms };
      });
      var idf = function (df) {
        if (fix.has(df)) return fix.get(df);
        var v = idfCache.get(df);
        if (v === undefined) {
          var x = f(f(f(n - df) + 0.5) / f(f(df) + 0.5));
          v = f(Math.log(f(1 + x)));
          idfCache.set(df, v);
        }
        return v;
      };
      statsCache = { fields: fields, idf: idf };
      return statsCache;
    }

    function postingOf(term) {
      var i = shardIndex(manifest.postings, term);
      var shard = postingShards.get(i);
      return shard.terms[term - shard.first];
    }

    // A term's postings in one field, decoded once: documents, and per document the BM25
    // factor tf / (tf + norm) (f32), which only the idf and the boost multiply at query time.
    var decoded = new Map();
    function fieldPostings(term, fi) {
      var key = term * 4 + fi;
      if (decoded.has(key)) return decoded.get(key);
      var encoded = postingOf(term)[1 + fi];
      var list = null;
      if (encoded) {
        var values = decodeVarints(encoded);
        var norms = stats().fields[fi].norms;
        var docs = new Uint32Array(values.length / 3);
        var ratios = new Float32Array(docs.length);
        var doc = 0;
        for (var k = 0, j = 0; k < values.length; k += 3, j++) {
          doc = k === 0 ? values[0] : doc + values[k];
          var tf = values[k + 1] + 1;
          docs[j] = doc;
          ratios[j] = f(tf / f(tf + norms[values[k + 2]]));
        }
        list = { docs: docs, ratios: ratios };
      }
      decoded.set(key, list);
      return list;
    }

    // Per-document score sums in a dense array (documents are numbered 0..docs-1), in the
    // order documents were first scored, as Tantivy's f32 additions need.
    function accumulator() {
      var sums = new Float32Array(manifest.docs);
      var seen = new Uint8Array(manifest.docs);
      var order = [];
      return {
        add: function (doc, score) {
          if (seen[doc]) { sums[doc] = f(sums[doc] + score); } else { seen[doc] = 1; sums[doc] = score; order.push(doc); }
        },
        forEach: function (fn) { for (var i = 0; i < order.length; i++) fn(order[i], sums[order[i]]); }
      };
    }

    /**
     * Runs a query. opts: { limit (10), kind, audience }.
     * Resolves to { total, hits: [{ doc, score, url, title, section, text, kind, audience,
     * excerpt: [{ text, mark }] }], files: paths loaded so far }.
     */
    function search(query, opts) {
      opts = opts || {};
      var limit = opts.limit === undefined ? 10 : opts.limit;
      var planned;
      return plan(query).then(function (p) {
        planned = p;
        var shards = new Set(planned.map(function (t) { return shardIndex(manifest.postings, t.term); }));
        var waits = Array.from(shards).map(postingShard);
        var filters = [];
        if (opts.kind) filters.push(filterSet('kind', opts.kind));
        if (opts.audience) filters.push(filterSet('audience', opts.audience));
        return Promise.all([Promise.all(waits), Promise.all(filters)]);
      }).then(function (loadedParts) {
        var filters = loadedParts[1];
        var st = stats();
        var acc = accumulator();
        // Clause order = Tantivy's: terms in plan order, fields in manifest order; a document's
        // score is the f32 sum of its clause scores in that order.
        planned.forEach(function (p) {
          st.fields.forEach(function (field, fi) {
            var list = fieldPostings(p.term, fi);
            if (!list) return;
            var weight = f(st.idf(list.docs.length) * ONE_PLUS_K1);
            var boost = f(field.boost * p.weight);
            if (boost !== 1) weight = f(weight * boost);
            var docs = list.docs, ratios = list.ratios;
            for (var k = 0; k < docs.length; k++) acc.add(docs[k], f(weight * ratios[k]));
          });
        });
        var top = [];
        var total = 0;
        acc.forEach(function (doc, score) {
          for (var i = 0; i < filters.length; i++) if (!filters[i].has(doc)) return;
          total++;
          keepTop(top, limit, score, doc);
        });
        var marks = new Set();
        planned.forEach(function (p) { postingOf(p.term)[0].forEach(function (s) { marks.add(s); }); });
        var batches = new Set(top.map(function (t) { return shardIndex(manifest.meta, t[1]); }));
        return Promise.all(Array.from(batches).map(metaBatch)).then(function () {
          var hits = top.map(function (t) {
            var batch = metaBatches.get(shardIndex(manifest.meta, t[1]));
            var d = batch.docs[t[1] - batch.first];
            return {
              doc: t[1], score: t[0], url: d.url, title: d.title, section: d.section, text: d.text,
              kind: d.kind, audience: d.audience, excerpt: excerpt(d.text, highlight(d.text, marks, manifest.tokenizer))
            };
          });
          return { total: total, hits: hits, files: loaded.slice() };
        });
      });
    }

    return {
      ready: ready,
      plan: plan,
      search: search,
      manifest: function () { return manifest; },
      loadedFiles: function () { return loaded.slice(); }
    };
  }

  /**
   * Keeps the best `limit` of [score, doc] in `top`, best first: higher score, then lower doc
   * (Tantivy's tie-break by document order). Linear in the number of matches.
   */
  function keepTop(top, limit, score, doc) {
    if (limit <= 0) return;
    if (top.length === limit) {
      var worst = top[limit - 1];
      if (score < worst[0] || (score === worst[0] && doc > worst[1])) return;
      top.pop();
    }
    var i = top.length;
    while (i > 0 && (top[i - 1][0] < score || (top[i - 1][0] === score && top[i - 1][1] > doc))) i--;
    top.splice(i, 0, [score, doc]);
  }

  /* ---------- excerpts ---------- */

  /** UTF-16 ranges [from, to) of the words of `text` whose surface form is in `surfaces`. */
  function highlight(text, surfaces, mode) {
    var ranges = [];
    analyze(text, mode).forEach(function (s) {
      if (surfaces.has(s.text)) {
        var lastRange = ranges[ranges.length - 1];
        if (lastRange && s.from <= lastRange[1]) lastRange[1] = Math.max(lastRange[1], s.to);
        else ranges.push([s.from, s.to]);
      }
    });
    return ranges;
  }

  /** Up to `size` characters around the first match, as pieces { text, mark }. */
  function excerpt(text, ranges, size) {
    size = size || 180;
    var start = 0;
    if (ranges.length && ranges[0][0] > size / 3) {
      start = ranges[0][0] - Math.floor(size / 3);
      var space = text.indexOf(' ', start);
      if (space !== -1 && space < ranges[0][0]) start = space + 1;
    }
    var end = Math.min(text.length, start + size);
    var pieces = [];
    if (start > 0) pieces.push({ text: '… ', mark: false });
    var pos = start;
    ranges.forEach(function (r) {
      if (r[1] <= start || r[0] >= end) return;
      var a = Math.max(r[0], start), b = Math.min(r[1], end);
      if (a > pos) pieces.push({ text: text.slice(pos, a), mark: false });
      pieces.push({ text: text.slice(a, b), mark: true });
      pos = b;
    });
    if (pos < end) pieces.push({ text: text.slice(pos, end), mark: false });
    if (end < text.length && !text.endsWith('…')) pieces.push({ text: ' …', mark: false });
    return pieces;
  }

  global.PortalSearch = {
    createEngine: createEngine,
    analyze: analyze,
    decodeVarints: decodeVarints,
    highlight: highlight,
    excerpt: excerpt,
    FIELDNORM_TABLE: FIELDNORM_TABLE
  };

  /* ---------- user interface ---------- */

  if (typeof document === 'undefined') return;

  var engines = new Map();
  function engineFor(root, lang) {
    var key = root + '\n' + lang;
    if (!engines.has(key)) {
      engines.set(key, createEngine(lang, function (path) {
        return new Promise(function (resolve, reject) {
          var script = document.createElement('script');
          script.src = root + path;
          script.async = true;
          script.onload = resolve;
          script.onerror = function () { reject(new Error('cannot load ' + path)); };
          document.head.appendChild(script);
        });
      }));
    }
    return engines.get(key);
  }

  function format(template, count) {
    return String(template || '{count}').replace('{count}', String(count));
  }

  // "N results" in the plural form of the search's language: the forms per CLDR category come
  // from the strings file (data-plural-results, JSON), Intl.PluralRules picks one.
  function resultCount(element, count) {
    var forms = {};
    try {
      forms = JSON.parse(element.getAttribute('data-plural-results') || '{}');
    } catch (e) {
      forms = {};
    }
    var category = 'other';
    try {
      category = new Intl.PluralRules(element.getAttribute('data-search-lang') || undefined).select(count);
    } catch (e) {
      category = 'other';
    }
    return format(forms[category] || forms.other, count);
  }

  function renderExcerpt(container, pieces) {
    pieces.forEach(function (piece) {
      if (piece.mark) {
        var mark = document.createElement('mark');
        mark.textContent = piece.text;
        container.appendChild(mark);
      } else {
        container.appendChild(document.createTextNode(piece.text));
      }
    });
  }

  function hitTitle(hit) {
    return hit.section && hit.section !== hit.title ? hit.title + ' › ' + hit.section : hit.title;
  }

  function isTyping(target) {
    if (!target) return false;
    var tag = target.tagName;
    return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
  }

  // The header combobox (ARIA 1.2 combobox with a listbox popup).
  function initBox(form) {
    var root = form.getAttribute('data-search-root') || '';
    var lang = form.getAttribute('data-search-lang') || 'en';
    var input = form.querySelector('input[role="combobox"]');
    var list = form.querySelector('[role="listbox"]');
    var status = form.querySelector('[role="status"]');
    if (!input || !list) return;
    var engine = engineFor(root, lang);
    var hits = [];
    var active = -1;
    var timer = 0;
    var generation = 0;

    function close() {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    }
    function setActive(i) {
      var options = list.querySelectorAll('[role="option"]');
      options.forEach(function (o, k) { o.setAttribute('aria-selected', k === i ? 'true' : 'false'); });
      active = i;
      if (i >= 0 && options[i]) {
        input.setAttribute('aria-activedescendant', options[i].id);
        options[i].scrollIntoView({ block: 'nearest' });
      } else input.removeAttribute('aria-activedescendant');
    }
    function open(url) { global.location.href = root + url; }
    function render(result, q) {
      hits = result.hits;
      // Which query the options answer (typing fires several; tests wait for the last one).
      list.setAttribute('data-query', q);
      while (list.firstChild) list.removeChild(list.firstChild);
      hits.forEach(function (hit, i) {
        var li = document.createElement('li');
        li.id = list.id + '-' + i;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.className = 'search-option';
        var title = document.createElement('span');
        title.className = 'search-option-title';
        title.textContent = hitTitle(hit);
        var text = document.createElement('span');
        text.className = 'search-option-excerpt';
        renderExcerpt(text, hit.excerpt);
        li.appendChild(title);
        li.appendChild(text);
        li.addEventListener('mousedown', function (e) { e.preventDefault(); });
        li.addEventListener('click', function () { open(hit.url); });
        list.appendChild(li);
      });
      var message = result.total === 0 ? form.getAttribute('data-msg-none')
        : resultCount(form, result.total);
      if (status) status.textContent = message || '';
      list.hidden = hits.length === 0;
      input.setAttribute('aria-expanded', hits.length ? 'true' : 'false');
      active = -1;
    }
    function run() {
      var q = input.value;
      var mine = ++generation;
      if (!q.trim()) { close(); if (status) status.textContent = ''; return; }
      engine.search(q, { limit: 8 }).then(function (result) {
        if (mine === generation) render(result, q);
      }, function () {
        if (mine === generation && status) status.textContent = form.getAttribute('data-msg-error') || '';
      });
    }
    input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(run, 80); });
    input.addEventListener('focus', function () { engine.ready().catch(function () {}); });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        if (list.hidden && hits.length) { list.hidden = false; input.setAttribute('aria-expanded', 'true'); }
        setActive(hits.length ? (active + 1) % hits.length : -1);
      } else if (e.key === 'ArrowUp') {
        e.preventDefault();
        setActive(hits.length ? (active <= 0 ? hits.length - 1 : active - 1) : -1);
      } else if (e.key === 'Enter') {
        if (active >= 0 && hits[active]) { e.preventDefault(); open(hits[active].url); }
      } else if (e.key === 'Escape') {
        if (!list.hidden) { e.preventDefault(); close(); } else input.value = '';
      }
    });
    input.addEventListener('blur', function () { setTimeout(close, 150); });
  }

  // The search page: a search field, filters and a result list.
  function initPage(page) {
    var root = page.getAttribute('data-search-root') || '';
    var lang = page.getAttribute('data-search-lang') || 'en';
    var form = page.querySelector('form');
    var input = page.querySelector('input[type="search"]');
    var kind = page.querySelector('select[name="kind"]');
    var audience = page.querySelector('select[name="audience"]');
    var list = page.querySelector('.search-results');
    var status = page.querySelector('[role="status"]');
    var more = page.querySelector('.search-more');
    if (!input || !list) return;
    var engine = engineFor(root, lang);
    var limit = 20;
    var generation = 0;
    var params = new URLSearchParams(global.location.search);
    input.value = params.get('q') || '';
    if (kind && params.get('kind')) kind.value = params.get('kind');
    if (audience && params.get('audience')) audience.value = params.get('audience');

    function run() {
      var mine = ++generation;
      var q = input.value;
      if (!q.trim()) {
        while (list.firstChild) list.removeChild(list.firstChild);
        if (status) status.textContent = '';
        if (more) more.hidden = true;
        return;
      }
      engine.search(q, { limit: limit, kind: kind && kind.value, audience: audience && audience.value }).then(function (result) {
        if (mine !== generation) return;
        while (list.firstChild) list.removeChild(list.firstChild);
        result.hits.forEach(function (hit) {
          var li = document.createElement('li');
          li.className = 'search-result';
          var h = document.createElement('a');
          h.className = 'search-result-title';
          h.href = root + hit.url;
          h.textContent = hitTitle(hit);
          var p = document.createElement('p');
          p.className = 'search-result-excerpt';
          renderExcerpt(p, hit.excerpt);
          li.appendChild(h);
          li.appendChild(p);
          list.appendChild(li);
        });
        var message = result.total === 0 ? page.getAttribute('data-msg-none')
          : resultCount(page, result.total);
        if (status) status.textContent = message || '';
        if (more) more.hidden = result.total <= result.hits.length;
      }, function () {
        if (mine === generation && status) status.textContent = page.getAttribute('data-msg-error') || '';
      });
    }
    function syncUrl() {
      var next = new URLSearchParams();
      if (input.value) next.set('q', input.value);
      if (kind && kind.value) next.set('kind', kind.value);
      if (audience && audience.value) next.set('audience', audience.value);
      try { global.history.replaceState(null, '', '?' + next.toString()); } catch (e) { /* file:// may refuse */ }
    }
    var timer = 0;
    input.addEventListener('input', function () { limit = 20; clearTimeout(timer); timer = setTimeout(function () { syncUrl(); run(); }, 80); });
    [kind, audience].forEach(function (select) {
      if (select) select.addEventListener('change', function () { limit = 20; syncUrl(); run(); });
    });
    if (form) form.addEventListener('submit', function (e) { e.preventDefault(); syncUrl(); run(); });
    if (more) more.addEventListener('click', function () { limit += 20; run(); });
    run();
  }

  function init() {
    document.querySelectorAll('form[data-search-box]').forEach(initBox);
    document.querySelectorAll('[data-search-page]').forEach(initPage);
    document.addEventListener('keydown', function (e) {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      var target = document.querySelector('[data-search-page] input[type="search"]') ||
        document.querySelector('form[data-search-box] input[role="combobox"]');
      if (target) { e.preventDefault(); target.focus(); target.select(); }
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})(typeof window !== 'undefined' ? window : globalThis);
