using Lightdash.Net.Backend.Access;
using Lightdash.Net.Backend.Browser;
using Lightdash.Net.Backend.Content;
using Lightdash.Net.Backend.Deliveries;
using Lightdash.Net.Backend.Explores;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Backend.Queries;
using Lightdash.Net.Backend.ResultsStorage;
using Lightdash.Net.Backend.Statements;

var builder = WebApplication.CreateBuilder(args);
builder.AddPlatform();
builder.AddAccess();
builder.AddResultsStorage();
builder.AddQueries();
builder.AddExplores();
builder.AddContent();
builder.AddStatements();
builder.AddDeliveries();
builder.AddBrowser();

var isCommand = args is ["create-admin-token", ..];
if (isCommand)
{
    // Commands print their result on standard output: logs go to standard error.
    builder.Logging.ClearProviders();
    builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
}

var app = builder.Build();
if (isCommand)
{
    // dotnet Lightdash.Net.Backend.dll create-admin-token --email admin@example.com
    return await AdminCommand.CreateTokenAsync(app, args);
}

app.UseApiErrors();
app.UseAuth();
app.MapApi();
app.MapBrowser();
app.UseTelemetry();
await app.RunAsync();
return 0;

/// <summary>The entry point; public so that tests can host the app.</summary>
public partial class Program;
