#!/usr/bin/env python3
"""Writes a Shopify product CSV of N products (a description and an image each, so
2N assets), a third marked AI-generated through the synthgov metafield, and an
inventory YAML with D datasets and S systems (default 100) over the Classification v2
taxonomy; for bench/inventory.sh and bench/classify.sh."""
import sys

n, d, csv_path, inv_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
systems = int(sys.argv[5]) if len(sys.argv) > 5 else 100
with open(csv_path, "w") as f:
    f.write("Handle,Title,Body (HTML),Image Src,AI (product.metafields.synthgov.ai_generated)\n")
    for i in range(n):
        f.write(f'p{i},Product {i},"<p>Product {i}: a <b>calming</b> herbal blend, batch {i * 7919 % 100003}.</p>",'
                f'https://cdn.example/p{i}.png,{"true" if i % 3 == 0 else "false"}\n')
with open(inv_path, "w") as f:
    f.write('store: { name: "Bench Store", platform: shopify, jurisdiction: DE, markets: [EU, US] }\n')
    f.write("sources:\n  - { id: orders, jurisdiction: DE, categories: [personal, financial], lawful_basis: contract }\n")
    f.write("  - { id: visits, jurisdiction: US, categories: [health], lawful_basis: consent }\n")
    f.write("generators:\n  - { id: gen-img, version: '1', method: diffusion, location: US, trained_on: [orders] }\n")
    for g in range(10):
        f.write(f"  - {{ id: gen-{g}, version: '1', method: copula, location: {'US' if g % 2 else 'DE'}, trained_on: [{'visits' if g % 3 == 0 else 'orders'}] }}\n")
    f.write("datasets:\n")
    for i in range(d):
        f.write(f"  - {{ id: ds-{i}, generator: gen-{i % 10}, purpose: training, surfaces: [checkout], environment: synthetic }}\n")
    f.write("systems:\n")
    cases = ["fraud_detection", "recommendation", "patient_triage", "credit_scoring", "content_generation_text",
             "symptom_checker", "emotion_recognition_customers", "customer_chatbot", "dynamic_pricing", "medical_device"]
    extra = ["", "practices: [], ", "art6_3: preparatory_task, profiles_people: false, ",
             "medical_device: { rule11_class: IIa }, processes: [health], ", "public_interest_text: false, "]
    for i in range(systems):
        f.write(f"  - {{ id: sys-{i}, use_case: {cases[i % len(cases)]}, {extra[i % len(extra)]}trained_on: [ds-{i % d}, ds-{(i + 100) % d}], decides_automatically: {'true' if i % 2 else 'false'} }}\n")
