using Lightdash.Net.Backend.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddMetadataDatabase();
builder.AddResultsStorage();
builder.AddQueryExecution();
builder.AddApi();

var app = builder.Build();
app.UseApi();
await app.RunAsync();

/// <summary>The entry point; public so that tests can host the app.</summary>
public partial class Program;
