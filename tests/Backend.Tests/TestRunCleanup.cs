using NUnit.Framework;

namespace Lightdash.Net.Backend.Tests;

/// <summary>Runs once after every test of this assembly: removes the results the run left in the shared bucket.</summary>
[SetUpFixture]
public sealed class TestRunCleanup
{
    [OneTimeTearDown]
    public async Task DeleteTheRunsResults()
    {
        var deleted = await TestPrefixes.DeleteCreatedAsync();
        await TestContext.Progress.WriteLineAsync($"Deleted {deleted} objects the run left in the results bucket.");
    }
}
