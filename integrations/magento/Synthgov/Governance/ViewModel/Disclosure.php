<?php
declare(strict_types=1);

namespace Synthgov\Governance\ViewModel;

use Magento\Catalog\Api\Data\ProductInterface;
use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Framework\View\Element\Block\ArgumentInterface;
use Magento\Store\Model\ScopeInterface;
use Synthgov\Governance\Setup\Patch\Data\AddAiContentAttributes;

/**
 * What the disclosure template needs for one product: whether its content is
 * AI-generated, the texts (store-view scoped, so translatable), the generator and
 * the provenance link. The markup matches synthgov's own `disclose html` output, so
 * `synthgov scan storefront` reads both the same way.
 */
class Disclosure implements ArgumentInterface
{
    private const XML_PATH = 'synthgov/disclosure/';

    public function __construct(private readonly ScopeConfigInterface $scopeConfig)
    {
    }

    public function isAiGenerated(ProductInterface $product): bool
    {
        return (bool) $product->getData(AddAiContentAttributes::AI_GENERATED);
    }

    public function imageLabel(ProductInterface $product): string
    {
        $custom = trim((string) $product->getData(AddAiContentAttributes::DISCLOSURE_TEXT));
        return $custom !== '' ? $custom : $this->config('image_label', 'AI-generated image');
    }

    public function textLabel(): string
    {
        return $this->config('text_label', 'AI-generated text');
    }

    /** The generator recorded by synthgov's import, when the store keeps it. */
    public function generator(ProductInterface $product): string
    {
        $g = trim((string) $product->getData('ai_generator'));
        return $g !== '' ? $g : 'an AI model';
    }

    /** The provenance record of the asset with this SHA-256 (hex), or '' without one. */
    public function provenanceUrl(string $sha256): string
    {
        if (!preg_match('/^[0-9a-f]{64}$/', $sha256)) {
            return '';
        }
        return str_replace('{sha256}', $sha256, $this->config('provenance_url', ''));
    }

    /** A stable element id for the product's disclosure note. */
    public function noteId(ProductInterface $product, string $kind): string
    {
        return 'sg-disclosure-' . $kind . '-' . (int) $product->getId();
    }

    private function config(string $key, string $default): string
    {
        $v = $this->scopeConfig->getValue(self::XML_PATH . $key, ScopeInterface::SCOPE_STORE);
        return is_string($v) && $v !== '' ? $v : $default;
    }
}
