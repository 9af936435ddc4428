//! Parquet output of the built-in generators: the same rows as the CSV form, typed
//! (ids and counts Int64, money Float64, the rest UTF-8), one row group per batch of
//! chunks, Snappy-compressed.

use std::io::Write;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;

const INTEGERS: [&str; 13] = [
    "customer_id",
    "refund_id",
    "is_fraud",
    "order_id",
    "item_id",
    "payment_id",
    "review_id",
    "patient_id",
    "appointment_id",
    "items",
    "qty",
    "rating",
    "duration_min",
];
const MONEY: [&str; 8] = [
    "subtotal",
    "discount",
    "tax",
    "shipping",
    "grand_total",
    "price",
    "row_total",
    "amount",
];

fn data_type(column: &str) -> DataType {
    if INTEGERS.contains(&column) {
        DataType::Int64
    } else if MONEY.contains(&column) {
        DataType::Float64
    } else {
        DataType::Utf8
    }
}

/// The Arrow schema of a table with these columns (plus the marker column when
/// present). Text columns may be empty (a store's unshipped orders), never null.
pub fn schema(columns: &[&str], marker: Option<&str>) -> Arc<Schema> {
    let mut fields: Vec<Field> = columns
        .iter()
        .map(|c| Field::new(*c, data_type(c), false))
        .collect();
    if let Some(m) = marker {
        fields.push(Field::new(m, DataType::Utf8, false));
    }
    Arc::new(Schema::new(fields))
}

fn invalid(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string())
}

/// Writes row batches (CSV text without a header, as the generators make them).
pub struct ParquetSink<W: Write + Send> {
    writer: ArrowWriter<W>,
    schema: Arc<Schema>,
}

impl<W: Write + Send> ParquetSink<W> {
    pub fn new(out: W, schema: Arc<Schema>) -> std::io::Result<Self> {
        let writer = ArrowWriter::try_new(out, schema.clone(), None).map_err(invalid)?;
        Ok(ParquetSink { writer, schema })
    }

    pub fn write_csv_rows(&mut self, text: &str) -> std::io::Result<()> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes());
        let n = self.schema.fields().len();
        let mut cols: Vec<Vec<String>> = vec![Vec::new(); n];
        for rec in rdr.records() {
            let rec = rec.map_err(invalid)?;
            for (i, v) in rec.iter().enumerate().take(n) {
                cols[i].push(v.to_owned());
            }
        }
        let arrays: Vec<ArrayRef> = self
            .schema
            .fields()
            .iter()
            .zip(cols)
            .map(|(f, values)| -> std::io::Result<ArrayRef> {
                Ok(match f.data_type() {
                    DataType::Int64 => Arc::new(Int64Array::from(
                        values
                            .iter()
                            .map(|v| v.parse::<i64>().map_err(invalid))
                            .collect::<Result<Vec<_>, _>>()?,
                    )),
                    DataType::Float64 => Arc::new(Float64Array::from(
                        values
                            .iter()
                            .map(|v| v.parse::<f64>().map_err(invalid))
                            .collect::<Result<Vec<_>, _>>()?,
                    )),
                    _ => Arc::new(StringArray::from(values)),
                })
            })
            .collect::<Result<_, _>>()?;
        let batch = RecordBatch::try_new(self.schema.clone(), arrays).map_err(invalid)?;
        self.writer.write(&batch).map_err(invalid)?;
        self.writer.flush().map_err(invalid)
    }

    pub fn finish(self) -> std::io::Result<W> {
        self.writer.into_inner().map_err(invalid)
    }
}
