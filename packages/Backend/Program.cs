using Lightdash.Net.Backend.Auth;
using Lightdash.Net.Backend.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddMetadataDatabase();
builder.AddResultsStorage();
builder.AddQueryExecution();
builder.AddAuth();
builder.AddApi();

var app = builder.Build();
if (args is ["create-admin-token", ..])
{
    // dotnet Lightdash.Net.Backend.dll create-admin-token --email admin@example.com
    return await AdminCommand.CreateTokenAsync(app, args);
}

app.UseApi();
await app.RunAsync();
return 0;

/// <summary>The entry point; public so that tests can host the app.</summary>
public partial class Program;
