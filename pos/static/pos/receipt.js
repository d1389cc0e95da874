// The receipt's print button, as a file of our own so the page runs under the Content-Security-Policy.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});

// An 80 mm roll has no page length: the page is made as long as what it prints (the [data-roll] element: the
// receipt, the 80 mm report), so a PDF of it is one page and a printer feeds no blank paper. The page's own
// `@page { size: 80mm 297mm }` stays the size where this script does not run. The element is laid out on screen
// at the roll's printed width (74 mm inside 3 mm margins), so its height on screen is its height on paper.
const roll = document.querySelector("[data-roll]");
if (roll) {
  const MARGIN_MM = 3;
  const SPARE_MM = 4; // rounding, and a line's worth of paper to tear off
  const PX_PER_MM = 96 / 25.4;
  const style = document.createElement("style");
  document.head.append(style);
  const fit = () => {
    const height = Math.ceil(roll.getBoundingClientRect().height / PX_PER_MM + 2 * MARGIN_MM + SPARE_MM);
    style.textContent = `@page { size: 80mm ${height}mm; margin: ${MARGIN_MM}mm; }`;
  };
  fit();
  window.addEventListener("load", fit); // the QR code's image and the fonts are in by then
  window.addEventListener("beforeprint", fit);
}
