/*
 * The eligibility verdict as a card in the chat widget. Loaded before chat.js, which calls
 * window.EssVerdictCard.clean(card) on every message it receives or restores, and
 * window.EssVerdictCard.render(card, appendText) to draw it. The buttons of the card are drawn by
 * chat.js as the quick replies of the message (same behaviour as every other quick reply).
 *
 * Card format (docs/conversation.md, checked again by the site's /api/chat relay):
 * {type: "verdict", verdict, title, criteria: [{criterion, label, status, status_label, message}],
 *  advice: [text], missing: [key], notes: [text], buttons: [{title, payload}]}
 *
 * Accessibility: one list item per criterion; the status icon is aria-hidden and followed by its text
 * alternative in a visually hidden span, so a screen reader says "Territoire : non conforme." then the
 * reason. Security: createElement/textContent only, server text is never parsed as HTML.
 */
(function () {
  "use strict";

  var ICONS = { pass: "\u2714", fail: "\u2718", condition: "\u26a0", unknown: "?" };
  var STATUS_TEXT = { pass: "conforme", fail: "non conforme", condition: "sous condition", unknown: "à préciser" };
  var VERDICTS = ["eligible", "eligible_with_conditions", "ineligible", "incomplete"];
  var ADVICE_HEADING = "Ce qui pourrait changer le résultat";

  function isText(value) {
    return typeof value === "string" && value.length > 0;
  }

  function texts(list) {
    return Array.isArray(list) ? list.filter(isText) : [];
  }

  // A copy with the known keys only, or null when it is not a usable verdict card.
  function clean(card) {
    if (!card || typeof card !== "object" || card.type !== "verdict" || !isText(card.title) ||
        !Array.isArray(card.criteria)) {
      return null;
    }
    var criteria = card.criteria.filter(function (c) {
      return c && isText(c.label) && isText(c.message) && Object.prototype.hasOwnProperty.call(ICONS, c.status);
    }).map(function (c) {
      return {
        criterion: isText(c.criterion) ? c.criterion : "",
        label: c.label,
        status: c.status,
        status_label: isText(c.status_label) ? c.status_label : STATUS_TEXT[c.status],
        message: c.message
      };
    });
    if (!criteria.length) {
      return null;
    }
    var buttons = Array.isArray(card.buttons) ? card.buttons.filter(function (b) {
      return b && isText(b.title) && isText(b.payload);
    }).map(function (b) {
      return { title: b.title, payload: b.payload };
    }) : [];
    return {
      type: "verdict",
      verdict: VERDICTS.indexOf(card.verdict) >= 0 ? card.verdict : "incomplete",
      title: card.title,
      criteria: criteria,
      advice: texts(card.advice),
      missing: texts(card.missing),
      notes: texts(card.notes),
      buttons: buttons
    };
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) {
      el.className = className;
    }
    if (text !== undefined) {
      el.textContent = text;
    }
    return el;
  }

  function criterionRow(c, appendText) {
    var row = element("li", "verdict-criterion verdict-" + c.status);
    row.setAttribute("data-status", c.status);
    var icon = element("span", "verdict-icon", ICONS[c.status]);
    icon.setAttribute("aria-hidden", "true");
    row.appendChild(icon);
    var body = element("div", "verdict-body");
    var head = element("p", "verdict-label");
    head.appendChild(element("strong", "", c.label));
    head.appendChild(element("span", "verdict-status visually-hidden", " : " + c.status_label + "."));
    body.appendChild(head);
    var message = element("p", "verdict-message");
    appendText(message, c.message);
    body.appendChild(message);
    row.appendChild(body);
    return row;
  }

  // The card's DOM. appendText(parent, text) adds server text as text nodes (chat.js turns URLs into links).
  function render(card, appendText) {
    appendText = appendText || function (parent, text) {
      parent.appendChild(document.createTextNode(text));
    };
    var box = element("div", "verdict-card verdict-card-" + card.verdict);
    var title = element("h3", "verdict-title");
    appendText(title, card.title);
    box.appendChild(title);
    var list = element("ul", "verdict-criteria");
    list.setAttribute("aria-label", "Critères d'éligibilité");
    card.criteria.forEach(function (c) {
      list.appendChild(criterionRow(c, appendText));
    });
    box.appendChild(list);
    if (card.advice.length) {
      box.appendChild(element("h4", "verdict-advice-title", ADVICE_HEADING));
      var advice = element("ul", "verdict-advice");
      card.advice.forEach(function (text) {
        var li = element("li");
        appendText(li, text);
        advice.appendChild(li);
      });
      box.appendChild(advice);
    }
    card.notes.forEach(function (text) {
      var note = element("p", "verdict-note");
      appendText(note, text);
      box.appendChild(note);
    });
    return box;
  }

  window.EssVerdictCard = { clean: clean, render: render };
}());
