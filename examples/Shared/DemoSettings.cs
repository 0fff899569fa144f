// Where the examples find the backend: LIGHTDASH_URL, LIGHTDASH_TOKEN and LIGHTDASH_PROJECT, or the demo
// that `bash scripts/run.sh` starts (its token in .local/admin-token, its PostgreSQL project).
internal static class DemoSettings
{
    public static (Uri Url, string Token, Guid Project) FromEnvironment()
    {
        var url = new Uri(Environment.GetEnvironmentVariable("LIGHTDASH_URL") ?? "http://127.0.0.1:5080");
        var token = Environment.GetEnvironmentVariable("LIGHTDASH_TOKEN") ?? ReadDemoToken();
        var project = Guid.Parse(Environment.GetEnvironmentVariable("LIGHTDASH_PROJECT") ?? "3675b69e-8324-4110-bdca-059031aa8da3");
        return (url, token, project);
    }

    private static string ReadDemoToken()
    {
        for (var folder = new DirectoryInfo(Environment.CurrentDirectory); folder is not null; folder = folder.Parent)
        {
            var file = Path.Combine(folder.FullName, ".local", "admin-token");
            if (File.Exists(file))
            {
                return File.ReadAllText(file).Trim();
            }
        }

        throw new InvalidOperationException("Set LIGHTDASH_TOKEN, or run `bash scripts/run.sh` first (it keeps the demo token in .local/admin-token).");
    }
}
