//! Writes the Spark Connect client (messages and the gRPC client, no server) from
//! `proto/spark/connect/*.proto` into `src/proto/`.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let proto = root.join("proto");
    let files: Vec<PathBuf> = std::fs::read_dir(proto.join("spark/connect"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "proto"))
        .collect();
    let out = root.join("src/proto");
    std::fs::create_dir_all(&out)?;
    tonic_prost_build::configure()
        .build_server(false)
        .out_dir(&out)
        .compile_protos(&files, &[proto, PathBuf::from("/usr/include")])?;
    Ok(())
}
