pub mod magento_db;
