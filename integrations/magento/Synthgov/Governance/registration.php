<?php
/**
 * synthgov governance module: AI-generated content disclosure on the storefront,
 * the product attributes that mark it, and the admin ACL resource that gates
 * synthetic data generation.
 */
declare(strict_types=1);

use Magento\Framework\Component\ComponentRegistrar;

ComponentRegistrar::register(ComponentRegistrar::MODULE, 'Synthgov_Governance', __DIR__);
