// Small browser helpers the portal calls through JS interop.
window.portal = {
    copyText: async function (text) {
        try {
            await navigator.clipboard.writeText(text);
            return true;
        } catch {
            return false;
        }
    }
};

// A table wider than the screen scrolls sideways inside its container; a container with nothing
// focusable in it could not be scrolled from the keyboard (WCAG 2.1.1). Such a container becomes a
// named, focusable region while it overflows, and stops being one when it fits again.
(function () {
    function mark() {
        document.querySelectorAll('.mud-table-container').forEach(function (container) {
            var overflows = container.scrollWidth > container.clientWidth + 1;
            if (overflows && !container.hasAttribute('tabindex')) {
                var named = container.closest('[aria-label]');
                container.setAttribute('tabindex', '0');
                container.setAttribute('role', 'region');
                container.setAttribute('aria-label', named ? named.getAttribute('aria-label') : 'Table');
                container.dataset.scrollRegion = 'true';
            } else if (!overflows && container.dataset.scrollRegion === 'true') {
                container.removeAttribute('tabindex');
                container.removeAttribute('role');
                container.removeAttribute('aria-label');
                delete container.dataset.scrollRegion;
            }
        });
    }

    var pending = false;
    function schedule() {
        if (!pending) {
            pending = true;
            requestAnimationFrame(function () { pending = false; mark(); });
        }
    }

    new MutationObserver(schedule).observe(document.documentElement, { childList: true, subtree: true });
    window.addEventListener('resize', schedule);
    schedule();
})();
