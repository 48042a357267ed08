// Policy page: choosing another region or question reloads the page with that question's form.
(function () {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      const form = select.form;
      const shown = form.querySelector("input[name=shown]");
      if (shown) shown.remove();  // a new form is shown, not an answer
      form.submit();
    });
  });
})();
