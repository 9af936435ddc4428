//! The OpenAPI 3.1 document, generated from the handlers' annotations.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{api, regulatory};

#[derive(OpenApi)]
#[openapi(
    info(title = "synthgov", description = "Governance of synthetic data and AI-generated content: inventory, generation, flags, the ledger. Contract: shared/spec/api.md."),
    paths(
        api::healthz, api::metrics, api::inventory, api::asset, api::register_asset,
        api::append_event, api::generate, api::flags_all, api::flag_one, api::flag_set,
        api::findings, api::checkpoint, api::entry, api::proof, api::consistency,
        api::token_create, api::token_revoke, api::whoami,
        regulatory::classification, regulatory::assess, regulatory::approve,
        regulatory::incidents,
    ),
    components(schemas(api::AssetIn, api::EventIn, api::GenerateIn, api::FlagIn, api::TokenIn,
        regulatory::AssessmentIn, regulatory::ApprovalIn)),
    modifiers(&Bearer),
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let c = doc.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
