namespace Lightdash.Net.TestSupport;

/// <summary>
/// Test categories. Fixtures that talk to the PostgreSQL and S3 servers the test command starts are
/// <see cref="Integration"/>; the rest are pure and run in seconds without servers:
/// <c>dotnet test Lightdash.Net.sln --filter TestCategory!=Integration</c>.
/// </summary>
public static class TestCategories
{
    /// <summary>Needs the real servers (scripts/test.sh starts them).</summary>
    public const string Integration = "Integration";
}
