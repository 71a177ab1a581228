"use strict";
// Confide's visitor chat widget: no framework, no storage. Embed it with
//   <script src="https://GATEWAY/widget.js" data-line="phoneline" defer></script>
// or open the gateway's own page. Nothing is written to cookies, localStorage or IndexedDB: the
// chat's token lives in this page's memory only, and the quick exit (the button, or Esc twice)
// replaces the page with a neutral site, adding no history entry. The browser's history still
// keeps the page's address and title (no page can erase them), so the gateway's page has a
// title that says nothing, and the visitor is told how to cover their tracks before they write.
(function confideWidget() {
    const script = document.currentScript;
    if (!script)
        return;
    const base = new URL(script.src, location.href);
    const wsBase = (base.protocol === "https:" ? "wss://" : "ws://") + base.host;
    const fixedLine = script.dataset.line ?? null;
    function el(tag, attrs = {}, text) {
        const e = document.createElement(tag);
        for (const [k, v] of Object.entries(attrs))
            e.setAttribute(k, v);
        if (text !== undefined)
            e.textContent = text;
        return e;
    }
    const root = document.getElementById("confide-chat") ?? document.body.appendChild(el("section"));
    root.classList.add("confide-chat");
    root.setAttribute("aria-labelledby", "confide-chat-title");
    let info = null;
    let ws = null;
    let chat = null;
    let ended = false;
    let escAt = 0;
    // Quick exit: leave at once, leaving nothing to go back to.
    function quickExit() {
        ended = true;
        try {
            // The advisor is told the visitor has gone; the chat cannot be resumed (its token is
            // about to vanish with the page).
            if (ws?.readyState === WebSocket.OPEN)
                ws.send(JSON.stringify({ type: "end" }));
            ws?.close();
        }
        catch {
            /* leaving anyway */
        }
        root.replaceChildren();
        location.replace(info?.quick_exit_url ?? "https://www.bbc.co.uk/weather");
    }
    document.addEventListener("keydown", (e) => {
        if (e.key !== "Escape")
            return;
        const now = Date.now();
        if (now - escAt < 1500)
            quickExit();
        escAt = now;
    });
    const exit = el("button", { type: "button", class: "confide-exit" }, "Quick exit");
    exit.title = "Leave this page now (or press Esc twice)";
    exit.addEventListener("click", quickExit);
    const title = el("h2", { id: "confide-chat-title" }, "Chat with an advisor");
    const status = el("p", { class: "confide-status", role: "status", "aria-live": "polite" });
    const body = el("div", { class: "confide-body" });
    root.replaceChildren(exit, title, status, body);
    function showError(message) {
        const p = el("p", { class: "confide-error", role: "alert" }, message);
        body.prepend(p);
    }
    function startScreen(g) {
        const form = el("form", { class: "confide-start" });
        const lines = fixedLine ? g.lines.filter((l) => l.id === fixedLine) : g.lines;
        if (lines.length === 0) {
            status.textContent = "Chat is not available here at the moment.";
            return;
        }
        let chosen = lines[0].id;
        const hours = el("p", { class: "confide-hours" });
        const showHours = () => {
            const l = lines.find((x) => x.id === chosen);
            hours.textContent = l ? `${l.name} is open ${l.hours}.` : "";
        };
        if (lines.length > 1) {
            const fs = el("fieldset");
            fs.append(el("legend", {}, "Which helpline would you like to chat with?"));
            for (const l of lines) {
                const label = el("label");
                const radio = el("input", { type: "radio", name: "confide-line", value: l.id });
                radio.checked = l.id === chosen;
                radio.addEventListener("change", () => {
                    chosen = l.id;
                    showHours();
                });
                label.append(radio, ` ${l.name}`);
                fs.append(label);
            }
            form.append(fs);
        }
        showHours();
        const policy = el("p", { class: "confide-policy" });
        const link = el("a", { href: g.policy_url, target: "_blank", rel: "noopener noreferrer" }, "Read our confidentiality policy");
        policy.append(link, " (opens in a new tab). You do not need to give your name.");
        const tracks = el("p", { class: "confide-tracks" }, "Cover your tracks: your browser may remember that you visited this page. If someone else could see this " +
            "device, chat in a private (incognito) window, or clear your browsing history afterwards.");
        const start = el("button", { type: "submit" }, "Start chat");
        form.append(hours, policy, tracks, start);
        form.addEventListener("submit", (e) => {
            e.preventDefault();
            connect({ type: "start", line: chosen });
        });
        body.replaceChildren(form);
        start.focus();
    }
    // The live region wraps the list: a list given role="log" would stop being a list.
    // Focusable, so someone on a keyboard can scroll back through it.
    const log = el("div", { class: "confide-log", role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0" });
    const entries = el("ol");
    log.append(entries);
    const typing = el("p", { class: "confide-typing", "aria-live": "off" });
    const input = el("textarea", { id: "confide-input", rows: "2", maxlength: "2000" });
    const send = el("button", { type: "submit" }, "Send");
    const end = el("button", { type: "button", class: "confide-end" }, "End chat");
    function chatScreen() {
        const form = el("form", { class: "confide-compose" });
        const label = el("label", { for: "confide-input" }, "Your message");
        form.append(label, input, send);
        form.addEventListener("submit", (e) => {
            e.preventDefault();
            const text = input.value.trim();
            if (!text || !ws || ws.readyState !== WebSocket.OPEN)
                return;
            ws.send(JSON.stringify({ type: "say", text }));
            addLine("visitor", text);
            input.value = "";
            input.focus();
        });
        let lastTyping = 0;
        input.addEventListener("input", () => {
            const now = Date.now();
            if (ws?.readyState === WebSocket.OPEN && now - lastTyping > 3000) {
                ws.send(JSON.stringify({ type: "typing" }));
                lastTyping = now;
            }
        });
        input.addEventListener("keydown", (e) => {
            if (e.key === "Enter" && !e.shiftKey) {
                e.preventDefault();
                form.requestSubmit();
            }
        });
        end.addEventListener("click", () => {
            ws?.send(JSON.stringify({ type: "end" }));
            finish("You ended the chat. Thank you for contacting us.");
        });
        body.replaceChildren(log, typing, form, end);
        input.focus();
    }
    function addLine(from, text) {
        const li = el("li", { class: `confide-${from}` });
        li.append(el("span", { class: "confide-who" }, from === "visitor" ? "You: " : "Advisor: "), text);
        entries.append(li);
        // Only the log scrolls: scrolling the line into view would scroll the page too, and at a
        // large zoom push the message box out of sight while the visitor is typing in it.
        log.scrollTop = log.scrollHeight;
        // At a large zoom the message box, kept in view at the bottom, can cover the end of the log,
        // or the page can sit below the log altogether: the page moves just enough for the newest
        // line to show right above the box (which stays in view, being sticky).
        const compose = body.querySelector(".confide-compose");
        if (compose) {
            const end = log.getBoundingClientRect().bottom;
            const top = compose.getBoundingClientRect().top;
            if (end > top || end < 0)
                window.scrollBy(0, end - top);
        }
    }
    function finish(message) {
        ended = true;
        chat = null;
        ws?.close();
        status.textContent = message;
        input.disabled = true;
        send.disabled = true;
        end.disabled = true;
    }
    function connect(first, attempt = 0) {
        ws = new WebSocket(`${wsBase}/ws/visitor`);
        ws.addEventListener("open", () => ws?.send(JSON.stringify(first)));
        ws.addEventListener("message", (m) => {
            const out = JSON.parse(String(m.data));
            switch (out.type) {
                case "welcome":
                    chat = { id: out.chat, resume: out.resume };
                    if (!log.isConnected)
                        chatScreen();
                    if (out.position > 0)
                        status.textContent = `You are number ${out.position} in the queue. An advisor will be with you as soon as possible.`;
                    break;
                case "queue":
                    status.textContent = `You are number ${out.position} in the queue.`;
                    break;
                case "joined":
                    status.textContent = `${out.advisor} has joined the chat.`;
                    break;
                case "said":
                    typing.textContent = "";
                    if (out.from === "advisor")
                        addLine("advisor", out.text);
                    break;
                case "typing":
                    typing.textContent = "The advisor is typing…";
                    setTimeout(() => (typing.textContent = ""), 4000);
                    break;
                case "ended":
                    finish("The advisor ended the chat. Thank you for contacting us.");
                    break;
                case "error":
                    showError(out.message);
                    break;
            }
        });
        ws.addEventListener("close", () => {
            // A dropped connection: come back to the same chat with the token held in memory.
            if (ended || !chat || attempt >= 5)
                return;
            status.textContent = "Reconnecting…";
            const again = { type: "resume", chat: chat.id, resume: chat.resume };
            setTimeout(() => connect(again, attempt + 1), 1000 * (attempt + 1));
        });
    }
    fetch(new URL("/config.json", base), { credentials: "omit", cache: "no-store" })
        .then((r) => r.json())
        .then((g) => {
        info = g;
        startScreen(g);
    })
        .catch(() => (status.textContent = "Chat is not available at the moment. Please try again later."));
})();
