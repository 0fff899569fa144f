using System.Diagnostics;
using Lightdash.Net.TestSupport;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// The programs in <c>examples/</c>, built with the solution and run as a user would run them, against a
/// backend process serving the demo project (its warehouse loaded from <c>scripts/demo</c>), so that they
/// never rot.
/// </summary>
[Category(TestCategories.Integration)]
[NonParallelizable]
public class ExamplesTests
{
    private TestDatabase _metadata = null!;
    private TestDatabase _warehouse = null!;
    private ChildProcess _backend = null!;
    private Dictionary<string, string> _environment = null!;
    private string _models = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _metadata = await TestDatabase.CreateAsync("meta");
        _warehouse = await TestDatabase.CreateAsync("demo");
        await _warehouse.ExecuteAsync(await File.ReadAllTextAsync(Path.Combine(ChildProcess.RepositoryRoot(), "scripts", "demo", "postgres-demo.sql")));
        _models = BackendHost.CopyDemoModels();
        var project = Guid.NewGuid();
        var settings = BackendHost.BaseSettings(
            _metadata.ServiceConnectionString, _warehouse.ReaderConnectionString, TestPrefixes.New(), project, Guid.NewGuid(), Guid.NewGuid(), Path.GetTempFileName());
        settings["Projects:Items:0:ModelsPath"] = _models;
        Uri address;
        (_backend, address) = await ChildProcess.StartBackendAsync(settings.ToDictionary(p => p.Key, p => p.Value!));
        _environment = new()
        {
            ["LIGHTDASH_URL"] = address.ToString(),
            ["LIGHTDASH_TOKEN"] = settings["Auth:BootstrapAdmin:Token"]!,
            ["LIGHTDASH_PROJECT"] = project.ToString(),
        };
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _backend.DisposeAsync();
        await _warehouse.DisposeAsync();
        await _metadata.DisposeAsync();
        Directory.Delete(_models, recursive: true);
    }

    [TestCase("SubmitAndWait", "ok: 5 rows")]
    [TestCase("SubmitThenPoll", "ok: 1000 rows")]
    [TestCase("Batch", "ok: 12000 rows")]
    public async Task AnExample_RunsToTheEnd_AgainstTheDemoProject(string example, string expected)
    {
        var (exitCode, output) = await RunAsync(example);
        Assert.That(exitCode, Is.Zero, output);
        Assert.That(output, Does.Contain(expected));
    }

    [Test]
    public async Task TheCsvExample_WritesEveryRowOfALargeResult()
    {
        var path = Path.Combine(Path.GetTempPath(), $"orders-{Guid.NewGuid():N}.csv");
        try
        {
            var (exitCode, output) = await RunAsync("ExportCsv", path);
            Assert.That(exitCode, Is.Zero, output);
            Assert.That(output, Does.Contain("ok: 20000 rows"));
            var lines = await File.ReadAllLinesAsync(path);
            Assert.That(lines, Has.Length.EqualTo(20001));
            Assert.That(lines[0], Is.EqualTo("order_id,customer_id,order_date,status,amount,is_gift"));
            Assert.That(lines[1], Is.EqualTo("1,920,2024-01-02,shipped,5.37,false"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private async Task<(int ExitCode, string Output)> RunAsync(string example, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(ExampleAssembly(example));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in _environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    // Built with the solution, in the configuration the tests were built in.
    private static string ExampleAssembly(string example)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var path = Path.Combine(ChildProcess.RepositoryRoot(), "examples", example, "bin", configuration, "net10.0", $"Lightdash.Net.{example}.dll");
        Assert.That(File.Exists(path), Is.True, $"{path} is built (the examples are projects of the solution)");
        return path;
    }
}
