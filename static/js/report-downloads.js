// The report page's 「グラフを入れる（HTML・PDF）」 box: adds charts=on to the links of the formats
// that can carry the charts as soon as it changes. Without JavaScript the box belongs to the
// picker's form and takes effect with the 表示 button (the page then writes the links with it).
document.querySelectorAll("[data-charts-toggle]").forEach((box) => {
  const links = document.querySelectorAll("a[data-takes-charts]");
  const update = () => {
    links.forEach((link) => {
      const url = new URL(link.href);
      if (box.checked) {
        url.searchParams.set("charts", "on");
      } else {
        url.searchParams.delete("charts");
      }
      link.href = url.toString();
    });
  };
  box.addEventListener("change", update);
  update(); // a box the browser restored on going back
});
