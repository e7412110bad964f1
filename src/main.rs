fn main() -> std::process::ExitCode {
    entramap::cli::run()
}
