// The incident layer (mapview.incidents.IncidentLayer): one loop over compact rows makes every
// marker, clustered by MarkerCluster with icons of its own (divIcons, no icon font).
//
// A row is [lat, lon, id, colour index, status index, overdue, code prefix index, code suffix,
// category index, kelurahan index, time "HH:MM" WIB or "", OPD index, kondisi?] (IncidentPayload);
// `lookups` holds each table's texts once. A tooltip is built only when it opens, from text nodes
// and <b>/<i>/<br> elements made with document.createElement: caller text is never parsed as
// markup. This file reaches the page through a Jinja template rendered twice (branca): it holds
// no double braces and no brace-percent or brace-hash pairs.
function siagaIncidentLayer(rows, lookups, palette, opts) {
    var statusClass = opts.statusClass;
    var size = opts.markerPx;
    var icons = {};
    // Escalated incidents (id -> level 1 or 2): a red "!" badge ("!!" at level 2) on the marker.
    var escalated = opts.escalated || {};
    function iconFor(c, s, od, esc) {
        var key = c + ":" + s + ":" + od + ":" + esc;
        if (!icons[key]) {
            var badge = esc ? '<span class="siaga-esc siaga-esc-' + esc + '">'
                + (esc > 1 ? "!!" : "!") + '</span>' : "";
            icons[key] = L.divIcon({
                className: "siaga-inc-icon",
                html: '<div class="siaga-inc ' + (statusClass[s] || statusClass[0])
                    + (od ? ' siaga-od' : '') + '" style="background:'
                    + palette[c] + '"></div>' + badge,
                iconSize: [size, size],
                iconAnchor: [size / 2, size / 2],
                tooltipAnchor: [0, -size / 2]
            });
        }
        return icons[key];
    }
    function tooltipFor(r) {
        return function () {
            var lines = [
                [[lookups.code_prefix[r[6]] + r[7], "b"], [lookups.category[r[8]]]],
                [[lookups.status[r[4]]], [r[5] ? lookups.overdue[r[5] - 1] : "", "b"]],
                [
                    [lookups.kelurahan[r[9]]],
                    [r[10] ? opts.timeLabel[0] + r[10] + opts.timeLabel[1] : ""],
                    [lookups.opd[r[11]]]
                ],
                [[escalated[r[2]] ? opts.escalatedLabel.replace("{level}", escalated[r[2]]) : "",
                    "b"]],
                [[r[12], "i"]]
            ];
            var box = document.createDocumentFragment();
            for (var i = 0; i < lines.length; i++) {
                var parts = lines[i].filter(function (part) { return part[0]; });
                if (!parts.length) { continue; }
                if (box.hasChildNodes()) { box.appendChild(document.createElement("br")); }
                for (var j = 0; j < parts.length; j++) {
                    if (j) { box.appendChild(document.createTextNode(opts.separator)); }
                    var node = document.createTextNode(String(parts[j][0]));
                    if (parts[j][1]) {
                        var wrap = document.createElement(parts[j][1]);
                        wrap.appendChild(node);
                        node = wrap;
                    }
                    box.appendChild(node);
                }
            }
            return box;
        };
    }
    var layer;
    if (opts.cluster) {
        var clusterOptions = opts.clusterOptions;
        clusterOptions.iconCreateFunction = function (cluster) {
            var children = cluster.getAllChildMarkers();
            var late = 0;
            var esc = 0;
            for (var j = 0; j < children.length; j++) {
                if (children[j].options.siagaOverdue) { late++; }
                if (children[j].options.siagaEscalated) { esc++; }
            }
            var n = cluster.getChildCount();
            var px = n < 10 ? 34 : (n < 100 ? 40 : 48);
            px = Math.round(px * size / 18);
            return L.divIcon({
                html: "<div><span>" + n + "</span></div>",
                className: "marker-cluster siaga-cluster"
                    + (late ? " siaga-cluster-od" : "") + (esc ? " siaga-cluster-esc" : ""),
                iconSize: L.point(px, px)
            });
        };
        layer = L.markerClusterGroup(clusterOptions);
    } else {
        layer = L.featureGroup();
    }
    layer.options.siagaLayer = "incidents";
    var markers = new Array(rows.length);
    for (var i = 0; i < rows.length; i++) {
        var r = rows[i];
        var level = escalated[r[2]] || 0;
        var marker = L.marker([r[0], r[1]], {
            icon: iconFor(r[3], r[4], r[5] ? 1 : 0, level),
            keyboard: false,
            riseOnHover: true,
            zIndexOffset: level ? 3000 : (r[5] ? 2000 : 1000),
            siagaId: r[2],
            siagaOverdue: r[5] > 0,
            siagaEscalated: level
        });
        marker.bindTooltip(tooltipFor(r), {direction: "top"});
        markers[i] = marker;
    }
    if (opts.cluster) {
        layer.addLayers(markers);
    } else {
        for (var k = 0; k < markers.length; k++) { layer.addLayer(markers[k]); }
    }
    // The base map's first view grows to hold these incidents (initial_view.js).
    layer.once("add", function () {
        if (layer._map && layer._map.siagaFitIncidents) {
            layer._map.siagaFitIncidents(rows.map(function (r) {
                return [r[0], r[1]];
            }), size);
        }
    });
    return layer;
}
