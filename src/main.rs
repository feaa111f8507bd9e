fn main() -> std::process::ExitCode {
    pkgm::run()
}
