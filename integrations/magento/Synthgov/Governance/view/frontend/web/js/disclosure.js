/**
 * Progressive part of the disclosure: marks the gallery images (rendered by
 * Fotorama after load) and the description as synthetic and points them at the
 * visible notes. The notes work without it.
 */
define([], function () {
    'use strict';

    function mark(el, noteId, asset) {
        if (!el || el.getAttribute('data-synthetic') === 'true') {
            return;
        }
        el.setAttribute('data-synthetic', 'true');
        if (asset) {
            el.setAttribute('data-synthetic-asset', asset);
        }
        var refs = (el.getAttribute('aria-describedby') || '').trim();
        el.setAttribute('aria-describedby', (refs ? refs + ' ' : '') + noteId + ' ' + noteId + '-detail');
    }

    return function (config) {
        var gallery = function () {
            document.querySelectorAll('.gallery-placeholder img, .fotorama__stage img').forEach(function (img) {
                mark(img, config.image, config.asset);
            });
        };
        gallery();
        document.addEventListener('gallery:loaded', gallery);
        var stage = document.querySelector('.gallery-placeholder');
        if (stage && window.MutationObserver) {
            new MutationObserver(gallery).observe(stage, {childList: true, subtree: true});
        }
        mark(document.querySelector('.product.attribute.description .value'), config.text, '');
    };
});
