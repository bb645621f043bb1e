// The legend control both maps use (mapview.legend.Legend): a box in one corner of the map
// holding HTML built and escaped on the server. Clicks and wheel turns inside it stay in it:
// folding the legend or scrolling its list never pans or zooms the map.
function siagaLegend(map, position, body) {
    var control = L.control({position: position});
    control.onAdd = function () {
        var div = L.DomUtil.create("div", "siaga-legend leaflet-control");
        div.innerHTML = body;
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
    };
    control.addTo(map);
    return control;
}
