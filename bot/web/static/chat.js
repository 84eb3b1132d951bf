/*
 * Chat widget of the Val-de-Marne "appel à projets ESS" assistant. Vanilla JavaScript, no framework,
 * no dependency, nothing loaded from outside our site.
 *
 * Why not an existing widget: the maintained npm chat widgets for Rasa (rasa-webchat, Botfront's
 * webchat) are React bundles without the accessibility we need (no role="log" live region announcing
 * the bot's messages, quick replies and focus not fully usable with the keyboard, colours we cannot
 * bring to RGAA/WCAG AA contrast), and they are large third-party bundles. This file does only what the
 * page needs.
 *
 * Security: the DOM is built with createElement/textContent only. Bot and user text is never parsed
 * as HTML; URLs and e-mail addresses found in bot text become <a> elements.
 *
 * Storage (localStorage, key STORAGE_KEY): {sender, messages: [{from: "user"|"bot", text, buttons,
 * image, links, card}], at}, so that the conversation survives a reload. « Nouvelle conversation » draws a new
 * sender id and clears the history. `at` is the time of the last activity (a message sent or received): after
 * IDLE_MS (2 hours) without activity the conversation is forgotten (sender id and transcript), on a shared
 * computer the next person starts afresh. Checked when the page loads, when it comes back to the foreground,
 * every minute, and before sending.
 *
 * Server: POST data-endpoint (/api/chat) {sender, message} -> {messages: [...]} or {error} (400, 429, 503...).
 * Over the rate limit (429), the server's French message is shown and the typed text kept for a resend.
 * A message {card: {...}} is the eligibility verdict: card.js (window.EssVerdictCard) checks and draws it,
 * and its buttons become the message's quick replies.
 */
(function () {
  "use strict";

  var STORAGE_KEY = "ess-chat-v1";
  var MAX_STORED = 200;
  var IDLE_MS = 2 * 60 * 60 * 1000; // forget the conversation after 2 hours without activity
  var IDLE_CHECK_MS = 60 * 1000;
  var SENDER_RE = /^[A-Za-z0-9_-]{8,64}$/;
  var UNAVAILABLE = "L'assistant est momentanément indisponible. Votre message n'a pas été perdu : " +
    "réessayez dans quelques instants.";
  var LINK_RE = /(https?:\/\/[^\s<>"]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})/g;
  var TRAILING_RE = /[.,;:!?)\]»'"]+$/;
  var SAFE_URL_RE = /^(https?:\/\/|mailto:|\/(?!\/))/i;

  var root = document.getElementById("chat");
  if (!root) {
    return;
  }
  var log = document.getElementById("chat-log");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-input");
  var send = document.getElementById("chat-send");
  var reset = document.getElementById("chat-reset");
  var typing = document.getElementById("chat-typing");
  var endpoint = root.getAttribute("data-endpoint") || "/api/chat";
  var welcome = parseJSON(root.getAttribute("data-welcome"));
  var cards = window.EssVerdictCard || null;
  var memory = null; // used when localStorage is unavailable (private browsing, disabled storage)
  var busy = false;
  var generation = 0; // incremented by « Nouvelle conversation »: late answers of the old one are dropped
  var state = load();

  function parseJSON(text) {
    try {
      return JSON.parse(text);
    } catch (e) {
      return null;
    }
  }

  function newSender() {
    var cryptoObj = window.crypto || window.msCrypto;
    if (cryptoObj && typeof cryptoObj.randomUUID === "function") {
      return cryptoObj.randomUUID();
    }
    var bytes = new Uint8Array(16);
    if (cryptoObj && cryptoObj.getRandomValues) {
      cryptoObj.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i++) {
        bytes[i] = Math.floor(Math.random() * 256);
      }
    }
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function storageGet() {
    try {
      return window.localStorage.getItem(STORAGE_KEY);
    } catch (e) {
      return memory;
    }
  }

  function storageSet(value) {
    memory = value;
    try {
      window.localStorage.setItem(STORAGE_KEY, value);
    } catch (e) {
      /* storage full or disabled: the conversation simply won't survive a reload */
    }
  }

  function storageRemove() {
    memory = null;
    try {
      window.localStorage.removeItem(STORAGE_KEY);
    } catch (e) {
      /* nothing stored then */
    }
  }

  function idle(at) {
    return typeof at !== "number" || !isFinite(at) || Date.now() - at > IDLE_MS;
  }

  function cleanButtons(buttons) {
    if (!Array.isArray(buttons)) {
      return [];
    }
    return buttons.filter(function (b) {
      return b && typeof b.title === "string" && typeof b.payload === "string";
    }).map(function (b) {
      return { title: b.title, payload: b.payload };
    });
  }

  function cleanMessage(m, from) {
    if (!m || typeof m !== "object") {
      return null;
    }
    var out = { from: from || (m.from === "user" ? "user" : "bot"), text: typeof m.text === "string" ? m.text : "" };
    var card = m.card && cards ? cards.clean(m.card) : null;
    if (card) {
      out.card = card;
    } else if (m.card && !out.text) {
      if (typeof m.card.title !== "string" || !m.card.title) {
        return null;
      }
      out.text = m.card.title; // card.js missing or the card unusable: at least the verdict sentence
    }
    var buttons = cleanButtons(card ? card.buttons : m.buttons);
    if (buttons.length) {
      out.buttons = buttons;
    }
    if (typeof m.image === "string") {
      out.image = m.image;
    }
    if (Array.isArray(m.links)) {
      out.links = m.links.filter(function (l) {
        return l && typeof l.title === "string" && typeof l.url === "string";
      });
    }
    return out;
  }

  function fresh() {
    return { sender: newSender(), messages: [], at: Date.now() };
  }

  function load() {
    var data = parseJSON(storageGet());
    if (!data || typeof data.sender !== "string" || !SENDER_RE.test(data.sender) || !Array.isArray(data.messages)) {
      return fresh();
    }
    if (idle(data.at)) {
      storageRemove(); // two hours without activity (or stored before the limit existed): forgotten
      return fresh();
    }
    var messages = data.messages.map(function (m) {
      return cleanMessage(m);
    }).filter(Boolean);
    return { sender: data.sender, messages: messages, at: data.at };
  }

  function save() {
    state.messages = state.messages.slice(-MAX_STORED);
    state.at = Date.now();
    storageSet(JSON.stringify(state));
  }

  // ---- rendering (createElement / textContent only) ----

  function appendLinkedText(parent, text) {
    var last = 0;
    var match;
    LINK_RE.lastIndex = 0;
    while ((match = LINK_RE.exec(text)) !== null) {
      var raw = match[0];
      var target = raw.replace(TRAILING_RE, "");
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      var a = document.createElement("a");
      a.href = /^https?:\/\//i.test(target) ? target : "mailto:" + target;
      a.textContent = target;
      parent.appendChild(a);
      last = match.index + target.length;
      LINK_RE.lastIndex = last;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function quickReplies(buttons) {
    var group = document.createElement("div");
    group.className = "quick-replies";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Réponses proposées");
    buttons.forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "quick-reply";
      button.textContent = b.title;
      button.addEventListener("click", function () {
        submit(b.payload, b.title);
      });
      group.appendChild(button);
    });
    return group;
  }

  function messageElement(msg, withButtons) {
    var item = document.createElement("div");
    item.className = "msg " + (msg.from === "user" ? "msg-user" : "msg-bot");
    var who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = msg.from === "user" ? "Vous : " : "Assistant : ";
    item.appendChild(who);
    if (msg.text) {
      var p = document.createElement("p");
      p.className = "msg-text";
      if (msg.from === "user") {
        p.textContent = msg.text;
      } else {
        appendLinkedText(p, msg.text);
      }
      item.appendChild(p);
    }
    if (msg.card && cards) {
      item.className += " msg-card";
      item.appendChild(cards.render(msg.card, appendLinkedText));
    }
    if (msg.image && SAFE_URL_RE.test(msg.image)) {
      if (msg.image.charAt(0) === "/") {
        var img = document.createElement("img");
        img.src = msg.image;
        img.alt = "Image envoyée par l'assistant";
        item.appendChild(img);
      } else {
        var imageLink = document.createElement("a");
        imageLink.href = msg.image;
        imageLink.textContent = "Voir l'image envoyée par l'assistant";
        item.appendChild(imageLink);
      }
    }
    if (msg.links && msg.links.length) {
      var list = document.createElement("ul");
      list.className = "msg-links";
      msg.links.forEach(function (l) {
        if (!SAFE_URL_RE.test(l.url)) {
          return;
        }
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = l.url;
        a.textContent = l.title;
        li.appendChild(a);
        list.appendChild(li);
      });
      item.appendChild(list);
    }
    if (withButtons && msg.buttons && msg.buttons.length) {
      item.appendChild(quickReplies(msg.buttons));
    }
    return item;
  }

  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  function append(msg, withButtons) {
    var el = messageElement(msg, withButtons);
    log.appendChild(el);
    if (msg.card) {
      log.scrollTop = el.offsetTop - log.offsetTop; // a long card is read from its title
    } else {
      scrollToEnd();
    }
    return el;
  }

  function removeQuickReplies() {
    var groups = log.querySelectorAll(".quick-replies");
    var hadFocus = false;
    Array.prototype.forEach.call(groups, function (g) {
      if (g.contains(document.activeElement)) {
        hadFocus = true;
      }
      g.parentNode.removeChild(g);
    });
    if (hadFocus) {
      input.focus();
    }
  }

  function clearErrors() {
    Array.prototype.forEach.call(log.querySelectorAll(".chat-error"), function (e) {
      e.parentNode.removeChild(e);
    });
  }

  function showError(text) {
    var alert = document.createElement("p");
    alert.className = "chat-error";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    log.appendChild(alert);
    scrollToEnd();
  }

  // Quick replies of the bot's messages since the user's last message (the whole welcome if none).
  function restoreQuickReplies() {
    var items = log.querySelectorAll(".msg");
    var messages = [welcome ? cleanMessage(welcome, "bot") : null].concat(state.messages).filter(Boolean);
    for (var i = items.length - 1, j = messages.length - 1; i >= 0 && j >= 0; i--, j--) {
      if (messages[j].from === "user") {
        break;
      }
      if (messages[j].buttons && messages[j].buttons.length && !items[i].querySelector(".quick-replies")) {
        items[i].appendChild(quickReplies(messages[j].buttons));
      }
    }
  }

  function renderAll() {
    // Filled quietly: a restored history is not read out again on every page load.
    log.setAttribute("aria-live", "off");
    while (log.firstChild) {
      log.removeChild(log.firstChild);
    }
    if (welcome) {
      append(cleanMessage(welcome, "bot"), false);
    }
    state.messages.forEach(function (m) {
      append(m, false);
    });
    restoreQuickReplies();
    window.setTimeout(function () {
      log.setAttribute("aria-live", "polite");
    }, 0);
  }

  function setBusy(value) {
    busy = value;
    if (value && document.activeElement === send) {
      input.focus(); // a disabled button would drop the keyboard focus
    }
    send.disabled = value;
    typing.hidden = !value;
    log.setAttribute("aria-busy", value ? "true" : "false");
    if (value) {
      scrollToEnd();
    }
  }

  // ---- sending ----

  function fail(message, text, userElement) {
    if (userElement.parentNode) {
      userElement.parentNode.removeChild(userElement);
    }
    if (!input.value.trim()) {
      input.value = text; // kept for a resend
    }
    showError(message);
    restoreQuickReplies();
  }

  function submit(text, shown) {
    text = (text || "").trim();
    if (busy) {
      return;
    }
    if (!text) {
      input.focus();
      return;
    }
    forgetIfIdle(false);
    var current = generation;
    var userMsg = { from: "user", text: shown || text };
    clearErrors();
    removeQuickReplies();
    var userElement = append(userMsg, false);
    if (shown === undefined) {
      input.value = "";
    }
    setBusy(true);
    window.fetch(endpoint, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ sender: state.sender, message: text })
    }).then(function (response) {
      return response.json().catch(function () {
        return {};
      }).then(function (data) {
        return { ok: response.ok, data: data || {} };
      });
    }).then(function (result) {
      if (current !== generation) {
        return;
      }
      if (!result.ok || !Array.isArray(result.data.messages)) {
        fail(typeof result.data.error === "string" ? result.data.error : UNAVAILABLE, text, userElement);
        return;
      }
      state.messages.push(userMsg);
      result.data.messages.forEach(function (m) {
        var bot = cleanMessage(m, "bot");
        if (bot) {
          state.messages.push(bot);
          append(bot, true);
        }
      });
      save();
    }).catch(function () {
      if (current === generation) {
        fail(UNAVAILABLE, text, userElement);
      }
    }).then(function () {
      if (current === generation) {
        setBusy(false);
      }
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submit(input.value);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit(input.value);
    }
  });

  function startOver() {
    generation += 1;
    state = fresh();
    setBusy(false);
    renderAll();
  }

  reset.addEventListener("click", function () {
    startOver();
    save();
    input.value = "";
    input.focus();
  });

  // After IDLE_MS without activity, in this tab or another one (the stored time is shared), forget it all.
  // clearInput: the text left in the box belongs to the previous person too (not when they are sending it).
  function forgetIfIdle(clearInput) {
    var stored = parseJSON(storageGet()); // shared by the tabs of this browser: the latest activity of any
    var at = stored && stored.sender === state.sender && typeof stored.at === "number" ? stored.at : state.at;
    if (busy || !idle(at)) {
      return;
    }
    storageRemove();
    startOver();
    if (clearInput) {
      input.value = "";
    }
  }

  window.setInterval(function () {
    forgetIfIdle(true);
  }, IDLE_CHECK_MS);
  window.addEventListener("focus", function () {
    forgetIfIdle(true);
  });
  window.addEventListener("pageshow", function () {
    forgetIfIdle(true);
  });
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      forgetIfIdle(true);
    }
  });

  renderAll();
}());
