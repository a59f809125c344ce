// The notebooks' $...$ and $$...$$ formulas, typeset by KaTeX (served by this site).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".nb-body").forEach(function (body) {
    renderMathInElement(body, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "$", right: "$", display: false },
      ],
      ignoredClasses: ["stepgrad-stepper", "jp-OutputArea", "output_area"],
      throwOnError: false,
    });
  });
});
