// The map's first view: the city, then the city and every open incident (base._InitialView).
//
// streamlit-folium sizes its iframe after the map is created, so a single fitBounds uses the
// wrong size (and ignores the padding): the view is fitted again while the frame settles, and
// re-fitting stops at the viewer's first touch or after settleMs (then map.siagaViewSettled).
//
// The incidents arrive later, in a layer of their own (st_folium's feature_group_to_add, so the
// base map stays the same and its iframe is never reloaded). The first time that layer reaches
// the map it calls map.siagaFitIncidents: the view grows once to hold the open incidents as well
// (a call from a boat 1.2 km off the harbour lies north of the city), then
// map.siagaIncidentsFitted is true. Later refreshes never move the view: the viewer's zoom and
// pan stay. Only with `grow` (the wall display, which nobody touches) does a later incident
// outside the view widen it again, and never once the map has been touched. Points farther out
// than `reach` (a mistyped coordinate) are left out of the fit.
function siagaInitialView(map, cityBounds, reachBounds, options, settleMs, grow) {
    var touched = false;
    var started = Date.now();
    var bounds = L.latLngBounds(cityBounds);
    var reach = L.latLngBounds(reachBounds);
    var fitOptions = options;
    var seen = false;
    ["mousedown", "wheel", "touchstart", "keydown"].forEach(function (name) {
        map.getContainer().addEventListener(name, function () { touched = true; },
            {passive: true});
    });
    // Not animated: a zoom animation still running swallows the next fit (the incidents').
    function fit() { map.fitBounds(bounds, L.extend({animate: false}, fitOptions)); }
    function padded(px) {
        // A marker is drawn around its point: keep all of it inside the frame.
        var half = Math.ceil(px / 2) + 2;
        return {
            paddingTopLeft: [options.paddingTopLeft[0] + half, options.paddingTopLeft[1] + half],
            paddingBottomRight: [
                options.paddingBottomRight[0] + half, options.paddingBottomRight[1] + half
            ]
        };
    }
    map.siagaViewSettled = false;
    map.siagaIncidentsFitted = false;
    fit();
    map.on("resize", function () {
        if (!touched && Date.now() - started < settleMs) { fit(); }
    });
    setTimeout(function () { map.siagaViewSettled = true; }, settleMs);
    map.siagaFitIncidents = function (points, markerPx) {
        var first = !seen;
        seen = true;
        var extra = L.latLngBounds([]);
        for (var i = 0; i < points.length; i++) {
            if (reach.contains(points[i])) { extra.extend(points[i]); }
        }
        var outside = extra.isValid() && !bounds.contains(extra);
        var hidden = extra.isValid() && !map.getBounds().contains(extra);
        if (!touched && outside && (first || (grow && hidden))) {
            bounds.extend(extra);
            fitOptions = padded(markerPx);
            fit();
        }
        map.siagaIncidentsFitted = true;
    };
}
