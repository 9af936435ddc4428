<?php
// Renders a Magento_Catalog product template (.phtml) with fixed variables: a product
// with a description, and the block and helper the template calls, reduced to what
// they return for it. So a test can compare a template before and after
// `disclose html`. Usage: php render-phtml.php TEMPLATE.phtml
namespace Magento\Catalog\Model {
    class Product
    {
        public function getDescription() { return '<p>A calming chamomile blend.</p>'; }
        public function getAttributeText($code) { return 'text of ' . $code; }
        public function getResource() { return $this; }
        public function getAttribute($code) { return $this; }
        public function getStoreLabel() { return 'Details'; }
    }
}

namespace {
    class Helper
    {
        public function productAttribute($product, $value, $code) { return $value; }
    }

    class Block
    {
        public function getProduct() { return new \Magento\Catalog\Model\Product(); }
        public function getAtCall() { return 'getDescription'; }
        public function getAtCode() { return 'description'; }
        public function getCssClass() { return 'overview'; }
        public function getAtLabel() { return 'default'; }
        public function getAtType() { return ''; }
        public function getAddAttribute() { return 'itemprop="description"'; }
        public function escapeHtml($s) { return htmlspecialchars((string) $s, ENT_QUOTES); }
        public function escapeHtmlAttr($s) { return htmlspecialchars((string) $s, ENT_QUOTES); }
    }

    // Magento includes a template inside its block renderer: `$this` is the renderer.
    class Renderer
    {
        public function helper($class) { return new Helper(); }
        public function render($file)
        {
            $block = new Block();
            include $file;
        }
    }

    if ($argc < 2) {
        fwrite(STDERR, "usage: php render-phtml.php TEMPLATE.phtml\n");
        exit(2);
    }
    (new Renderer())->render($argv[1]);
}
