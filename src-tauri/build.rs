fn main() {
    // The config sits at the repository's top level (the layout the user asked for).
    println!("cargo:rerun-if-changed=../tauri.conf.json");
    println!("cargo:rerun-if-changed=../ui/dist");
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json")).unwrap_or_else(|e| {
        eprintln!("tauri-build failed: {e:#}");
        std::process::exit(1)
    });
}
