// Behaviour for the overlay dialog, the credential tiles and the secret inputs.
// Kept in a file, with no inline handlers, so the Content Security Policy can forbid inline scripts.
(function () {
  "use strict";

  let dialogOpener = null;

  // Lets the stylesheet hide the plain-form fallbacks that only matter without JavaScript.
  document.documentElement.classList.add("js");

  function modal() {
    return document.getElementById("modal");
  }

  // Next stays disabled until a credential tile is selected; the server still checks without JavaScript.
  function updateNextButtons() {
    document.querySelectorAll("form[data-requires-selection]").forEach(function (form) {
      const button = form.querySelector("[data-next-button]");
      if (button) {
        button.disabled = !form.querySelector("input[name='credential']:checked");
      }
    });
  }

  function focusSelectedTile() {
    const selected = document.querySelector("#credential-tiles input[name='credential']:checked");
    if (selected) {
      selected.focus();
    }
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.target && event.detail.target.id === "modal-body") {
      dialogOpener = event.detail.elt;
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    const dialog = modal();
    if (event.detail.target && event.detail.target.id === "modal-body" && dialog && !dialog.open) {
      dialog.showModal();
      const first = dialog.querySelector("[autofocus]") || dialog.querySelector("input, textarea, select");
      if (first) {
        first.focus();
      }
    }
  });

  document.addEventListener("htmx:afterSettle", updateNextButtons);
  document.addEventListener("change", function (event) {
    if (event.target.name === "credential") {
      updateNextButtons();
    }
  });

  // Enter in a text field submits with the form's main button, not the first one (Test).
  document.addEventListener("keydown", function (event) {
    const field = event.target;
    if (event.key !== "Enter" || !field.form || field.tagName !== "INPUT") {
      return;
    }
    const main = field.form.querySelector("[data-default-button]");
    if (main && !main.disabled) {
      event.preventDefault();
      field.form.requestSubmit(main);
    }
  });

  document.addEventListener("click", function (event) {
    const dismiss = event.target.closest("[data-dismiss-dialog]");
    if (dismiss && dismiss.closest("dialog")) {
      event.preventDefault();
      dismiss.closest("dialog").close();
      return;
    }
    const toggle = event.target.closest("[data-toggle-secret]");
    if (toggle) {
      const input = document.getElementById(toggle.dataset.toggleSecret);
      const reveal = input.type === "password";
      input.type = reveal ? "text" : "password";
      toggle.textContent = reveal ? "Hide" : "Show";
      toggle.setAttribute("aria-pressed", String(reveal));
    }
  });

  // A key replaced on a credential's page: close the overlay; the page refreshes its summary itself.
  document.addEventListener("credentialChanged", function () {
    const dialog = modal();
    if (dialog && dialog.open) {
      dialog.close();
    }
  });

  // A saved credential: close the overlay, then reload the tiles with the new one selected.
  // A page without tiles (the Credentials page, or the form opened on its own) goes to "next" instead.
  document.addEventListener("credentialCreated", function (event) {
    const grid = document.querySelector("[data-refresh-url]");
    if (!grid) {
      window.location.assign(event.detail.next);
      return;
    }
    const dialog = modal();
    dialogOpener = null;
    if (dialog && dialog.open) {
      dialog.close();
    }
    const url = grid.dataset.refreshUrl + "?selected=" + encodeURIComponent(event.detail.id);
    htmx.ajax("GET", url, { target: grid, swap: "outerHTML" }).then(function () {
      updateNextButtons();
      focusSelectedTile();
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    updateNextButtons();
    const dialog = modal();
    if (!dialog) {
      return;
    }
    // Esc and Cancel both end here: drop the form so nothing stale is shown next time.
    dialog.addEventListener("close", function () {
      document.getElementById("modal-body").replaceChildren();
      if (dialogOpener && dialogOpener.isConnected) {
        dialogOpener.focus();
      }
      dialogOpener = null;
    });
  });
})();
