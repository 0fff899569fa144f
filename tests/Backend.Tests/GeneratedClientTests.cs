using System.Reflection;
using System.Runtime.Loader;
using Lightdash.Net.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NSwag;
using NSwag.CodeGeneration.CSharp;

namespace Lightdash.Net.Backend.Tests;

/// <summary>
/// A C# client generated with NSwag from the committed <c>openapi/openapi.json</c>, compiled and run
/// against a real backend: its methods are named by the operation ids (no <c>QueryGETAsync</c>), and
/// submit, wait, page 3 and an export job work through it as a generator user would use them.
/// </summary>
[Category(TestCategories.Integration)]
public class GeneratedClientTests
{
    private static Assembly? _generated;

    private static async Task<Assembly> GeneratedAsync()
    {
        if (_generated is not null)
        {
            return _generated;
        }

        var document = await OpenApiDocument.FromFileAsync(Path.Combine(ChildProcess.RepositoryRoot(), "openapi", "openapi.json"));
        var settings = new CSharpClientGeneratorSettings
        {
            ClassName = "LightdashApi",
            UseBaseUrl = true,
            InjectHttpClient = true,
            GenerateClientInterfaces = false,
        };
        settings.CSharpGeneratorSettings.Namespace = "Generated";
        settings.CSharpGeneratorSettings.JsonLibrary = NJsonSchema.CodeGeneration.CSharp.CSharpJsonLibrary.SystemTextJson;
        var code = new CSharpClientGenerator(document, settings).GenerateFile();

        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create(
            "Generated.LightdashApi", [CSharpSyntaxTree.ParseText(code)], references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.That(emitted.Success, Is.True, string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(20)));
        image.Position = 0;
        return _generated = new AssemblyLoadContext("generated-client", isCollectible: true).LoadFromStream(image);
    }

    [Test]
    public async Task TheGeneratedClient_IsNamedByTheOperationIds()
    {
        var methods = (await GeneratedAsync()).GetType("Generated.LightdashApi")!.GetMethods().Select(m => m.Name).ToHashSet();
        Assert.That(methods, Is.SupersetOf(new[]
        {
            "ExecuteAsyncSqlQueryAsync", "ExecuteAsyncMetricQueryAsync", "GetAsyncQueryResultsAsync", "CancelAsyncQueryAsync",
            "ExecuteAsyncCalculateTotalAsync", "ScheduleAsyncQueryDownloadAsync", "GetSchedulerJobStatusAsync", "SubmitStatementAsync",
        }));
        Assert.That(methods.Where(m => m.Contains("GET", StringComparison.Ordinal) || m.Contains("POST", StringComparison.Ordinal) || char.IsDigit(m[^6])), Is.Empty,
            "no method is named from its path and verb");
    }

    [Test]
    public async Task SubmitWaitPageThreeAndAnExport_WorkThroughTheGeneratedClient()
    {
        await using var host = await BackendHost.StartAsync();
        var assembly = await GeneratedAsync();
        var http = host.CreateClient(host.AdminToken);
        dynamic api = Activator.CreateInstance(assembly.GetType("Generated.LightdashApi")!, http.BaseAddress!.ToString().TrimEnd('/'), http)!;

        dynamic request = Activator.CreateInstance(assembly.GetType("Generated.ExecuteSqlQueryRequest")!)!;
        request.Sql = $"select n, n * n as square from generate_series(1, 95) as n order by n -- {Guid.NewGuid():N}";
        dynamic submitted = await api.ExecuteAsyncSqlQueryAsync(host.ProjectUuid, request);
        Guid queryUuid = submitted.Results.QueryUuid;

        dynamic waited = await api.GetAsyncQueryResultsAsync(host.ProjectUuid, queryUuid, page: null, pageSize: null, waitMs: 30000);
        Assert.That((string)waited.Results.Status, Is.EqualTo("ready"));

        dynamic third = await api.GetAsyncQueryResultsAsync(host.ProjectUuid, queryUuid, page: 3, pageSize: 10, waitMs: null);
        Assert.That(((int?)third.Results.Page, (int?)third.Results.TotalPageCount, (long?)third.Results.TotalResults), Is.EqualTo(((int?)3, (int?)10, (long?)95)));
        Assert.That(((System.Collections.ICollection)third.Results.Rows).Count, Is.EqualTo(10));

        dynamic download = Activator.CreateInstance(assembly.GetType("Generated.ScheduleDownloadRequest")!)!;
        download.Type = "csv";
        dynamic scheduled = await api.ScheduleAsyncQueryDownloadAsync(host.ProjectUuid, queryUuid, download);
        Guid jobId = scheduled.Results.JobId;
        string? status = null;
        await Eventually.UntilAsync(
            async () => (status = (string)(await api.GetSchedulerJobStatusAsync(jobId)).Results.Status) is "completed" or "error",
            TimeSpan.FromSeconds(60),
            "the export job ends");
        Assert.That(status, Is.EqualTo("completed"));
    }
}
