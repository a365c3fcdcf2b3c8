// Wide tables become one block per row on narrow screens (WCAG 1.4.10 reflow): each cell is
// labelled with its column heading, and ARIA roles keep the table's meaning for screen
// readers once CSS no longer lays it out as a table. Without JavaScript the table scrolls
// inside its own box instead of the page.
(function () {
  document.querySelectorAll("table.govuk-table").forEach(function (table) {
    var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (!headings.length) return;
    table.classList.add("consortium-table--stacks");
    table.setAttribute("role", "table");
    table.querySelectorAll("tr").forEach(function (row) {
      row.setAttribute("role", "row");
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (cell.tagName === "TH") {
          cell.setAttribute("role", cell.parentNode.parentNode.tagName === "THEAD" ? "columnheader" : "rowheader");
        } else {
          cell.setAttribute("role", "cell");
        }
        if (cell.parentNode.parentNode.tagName !== "THEAD" && headings[index] && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", headings[index]);
        }
      });
    });
    table.querySelectorAll("thead, tbody, tfoot").forEach(function (group) {
      group.setAttribute("role", "rowgroup");
    });
  });
})();
