using System.Text.Json;
using Microsoft.ML.OnnxRuntime;

namespace Stratus.Benchmarks;

/// <summary>
/// The reference endpoint: the same ONNX session behind one ASP.NET Core route that parses the same JSON and
/// writes the same shape of answer, with no registry, validation, keys or logging.
/// </summary>
public static class MinimalEndpoint
{
    public static async Task<int> ServeAsync(BenchmarkOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(options.Url);
        var app = builder.Build();
        using var session = new InferenceSession(BenchmarkOptions.ModelPath, new Microsoft.ML.OnnxRuntime.SessionOptions { IntraOpNumThreads = 1 });
        using var runOptions = new RunOptions();
        string[] inputNames = ["Features"];
        var outputNames = session.OutputNames.ToArray();

        app.MapPost("/predict", async (HttpContext context) =>
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body);
            var instances = document.RootElement.GetProperty("instances");
            var rows = instances.GetArrayLength();
            var width = 30;
            var data = new float[rows * width];
            var i = 0;
            foreach (var row in instances.EnumerateArray())
            {
                foreach (var value in row.EnumerateArray())
                {
                    data[i++] = value.GetSingle();
                }
            }

            using var input = OrtValue.CreateTensorValueFromMemory(data, [rows, width]);
            using var results = session.Run(runOptions, inputNames, [input], outputNames);
            context.Response.ContentType = "application/json";
            await using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
            writer.WriteStartObject();
            writer.WriteStartArray("predictions");
            for (var r = 0; r < rows; r++)
            {
                writer.WriteStartObject();
                writer.WriteBoolean("PredictedLabel.output", results[0].GetTensorDataAsSpan<bool>()[r]);
                writer.WriteNumber("Score.output", results[1].GetTensorDataAsSpan<float>()[r]);
                writer.WriteNumber("Probability.output", results[2].GetTensorDataAsSpan<float>()[r]);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            await writer.FlushAsync();
        });

        Console.WriteLine($"minimal endpoint at {options.Url}/predict");
        await app.RunAsync();
        return 0;
    }
}
