// Draws each chart of the reports page from the data the server put beside it (json_script),
// and sends a click on a bar to the list of the tickets it counts. No inline script: the page's
// Content-Security-Policy allows only files like this one.
(function () {
  "use strict";
  const palette = ["#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d", "#d63384"];

  function draw(canvas) {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") return;
    const spec = JSON.parse(source.textContent);
    const percent = spec.unit === "percent";
    const chart = new Chart(canvas, {
      type: spec.type || "bar",
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (set, index) {
          const colour = palette[index % palette.length];
          return { label: set.label, data: set.data, backgroundColor: colour, borderColor: colour, borderDash: set.dashed ? [6, 4] : [] };
        }),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: spec.stacked },
          y: { stacked: spec.stacked, beginAtZero: true, max: percent ? 100 : undefined, ticks: { precision: 0 } },
        },
        onHover: function (event, elements) {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        },
        onClick: function (event, elements) {
          if (!elements.length) return;
          const hit = elements[0];
          const links = spec.datasets[hit.datasetIndex].links || [];
          const link = links[hit.index];
          if (link) window.location.assign(link);
        },
      },
    });
    canvas.dataset.drawn = "true";
    return chart;
  }

  document.querySelectorAll("canvas[data-chart]").forEach(draw);
})();
