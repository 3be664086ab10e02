using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Stratus.Tests.Fixtures;

namespace Stratus.Tests.EndToEnd;

/// <summary>
/// A seeded, structured fuzz of every body-taking route: valid requests mutated with wrong JSON kinds, missing and extra
/// fields, huge and negative numbers, NaN, deep nesting, truncation, wrong content types and random bytes. No answer may be
/// a 5xx, every 4xx is problem+json (or <c>{"error"}</c> on V2 routes), and the server is healthy afterwards.
/// </summary>
[Collection(RunnerCollection.Name)]
public sealed class FuzzTests(RunnerFixture fixture)
{
    private const int RandomSeed = 20261202;
    private const int Requests = 2500;

    private sealed record Seed(string Method, string Path, string ContentType, byte[] Body, bool IsJson);

    private static Seed Json(string method, string path, object body) =>
        new(method, path, "application/json", JsonSerializer.SerializeToUtf8Bytes(body), IsJson: true);

    private static async Task<IReadOnlyList<Seed>> SeedsAsync(string model, int version)
    {
        var onnx = await File.ReadAllBytesAsync(TestPaths.SampleModel("iris"));
        var row = new[] { 5.1, 3.5, 1.4, 0.2 };
        var header = Encoding.UTF8.GetBytes("""{"inputs":[{"name":"Features","datatype":"FP32","shape":[1,4],"parameters":{"binary_data_size":16}}]}""");
        var binary = header.Concat(row.SelectMany(v => BitConverter.GetBytes((float)v))).ToArray();
        return
        [
            Json("POST", $"/api/models/{model}/predict", new { instances = new object[] { row, new { sepal_length_cm = 6.7, sepal_width_cm = 3.0, petal_length_cm = 5.2, petal_width_cm = 2.3 } } }),
            Json("POST", $"/v2/models/{model}/infer", new { id = "f", inputs = new[] { new { name = "Features", datatype = "FP32", shape = new[] { 2, 4 }, data = new[] { row, row } } }, outputs = new[] { new { name = "Score.output" } } }),
            Json("POST", $"/v2/models/{model}/versions/{version}/infer", new { inputs = new[] { new { name = "Features", datatype = "FP32", shape = new[] { 1, 4 }, data = row } }, parameters = new { binary_data_output = true } }),
            new("POST", $"/v2/models/{model}/infer", "application/octet-stream", binary, IsJson: false),
            Json("PUT", "/api/models/fuzz-card", new { description = "fuzzed", task = "binary-classification", tier = "cpu", businessObjective = "o", businessMetric = "m", mlMetric = "auc", featureNames = new[] { "a", "b" } }),
            new("POST", $"/api/models/{model}/versions", "application/octet-stream", onnx, IsJson: false),
            new("PUT", "/api/datasets/fuzz-data", "text/csv", "a,b,label\n1,2,0\n3,4,1\n5,6,0\n"u8.ToArray(), IsJson: false),
            Json("POST", $"/api/models/{model}/train", new { dataset = "no-such-dataset", label = "label", task = "binary-classification", candidates = new[] { new { algorithm = "lightgbm", @params = new { numberOfLeaves = new[] { 8, 16 } } } }, validation = new { holdoutFraction = 0.2, seed = 42 }, objective = new { metric = "auc" } }),
        ];
    }

    [Fact]
    public async Task Thousands_of_mutated_requests_get_no_5xx_every_4xx_is_a_problem_or_v2_error_and_the_server_stays_healthy()
    {
        var version = await fixture.RegisterAsync("fuzz-iris", "iris");
        using var admin = fixture.Client();
        (await admin.PutAsJsonAsync("/api/models/fuzz-iris/aliases/champion", new { version })).EnsureSuccessStatusCode();
        var seeds = await SeedsAsync("fuzz-iris", version);
        var random = new Random(RandomSeed);
        var failures = new List<string>();

        for (var i = 0; i < Requests && failures.Count < 10; i++)
        {
            var seed = seeds[random.Next(seeds.Count)];
            var (contentType, body, how) = Mutate(seed, random);
            using var request = new HttpRequestMessage(new HttpMethod(seed.Method), seed.Path) { Content = new ByteArrayContent(body) };
            if (contentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }

            if (seed.ContentType == "application/octet-stream" && seed.Path.StartsWith("/v2", StringComparison.Ordinal) && random.Next(2) == 0)
            {
                request.Headers.TryAddWithoutValidation("Inference-Header-Content-Length", random.Next(-5, body.Length + 5).ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            else if (seed.ContentType == "application/octet-stream" && seed.Path.StartsWith("/v2", StringComparison.Ordinal))
            {
                request.Headers.TryAddWithoutValidation("Inference-Header-Content-Length", "104");
            }

            using var response = await admin.SendAsync(request);
            var problem = await CheckAsync(response, seed.Path);
            if (problem is not null)
            {
                failures.Add($"#{i} {seed.Method} {seed.Path} ({how}): {problem}; body: {Preview(body)}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        using var anonymous = fixture.Client(key: null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/health")).StatusCode);
        using var check = fixture.Client(RunnerFixture.FunctionKey);
        var predict = await check.PostAsJsonAsync("/api/models/fuzz-iris/predict", new { instances = new[] { new[] { 5.1, 3.5, 1.4, 0.2 } } });
        Assert.Equal(HttpStatusCode.OK, predict.StatusCode);
    }

    [Fact]
    public async Task Get_v2_answers_the_server_metadata_with_the_binary_tensor_extension_and_needs_no_key()
    {
        using var anonymous = fixture.Client(key: null);
        var server = await anonymous.GetFromJsonAsync<JsonElement>("/v2");

        Assert.Equal("stratus", server.GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(server.GetProperty("version").GetString()));
        Assert.Equal(["binary_tensor_data"], server.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
    }

    /// <summary>Null when the answer is acceptable; otherwise what is wrong with it.</summary>
    private static async Task<string?> CheckAsync(HttpResponseMessage response, string path)
    {
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            return $"{status}: {await response.Content.ReadAsStringAsync()}";
        }

        if (status < 400)
        {
            return null;
        }

        var text = await response.Content.ReadAsStringAsync();
        if (path.StartsWith("/v2", StringComparison.Ordinal))
        {
            try
            {
                using var error = JsonDocument.Parse(text);
                return error.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? null : $"{status} without an 'error' string: {text}";
            }
            catch (JsonException)
            {
                return $"{status} with a body that is not JSON: {text}";
            }
        }

        return response.Content.Headers.ContentType?.MediaType == "application/problem+json"
            ? null
            : $"{status} as {response.Content.Headers.ContentType?.MediaType ?? "no content type"}: {text}";
    }

    private static (string? ContentType, byte[] Body, string How) Mutate(Seed seed, Random random)
    {
        switch (random.Next(10))
        {
            case 0:
                return (seed.ContentType, Truncate(seed.Body, random), "truncated");
            case 1:
                var noise = new byte[random.Next(0, 256)];
                random.NextBytes(noise);
                return (seed.ContentType, noise, "random bytes");
            case 2:
                string[] types = ["text/plain", "application/xml", "application/json", "text/csv", "application/octet-stream", "multipart/form-data; boundary=x"];
                return (random.Next(5) == 0 ? null : types[random.Next(types.Length)], seed.Body, "content type");
            case 3:
                var depth = random.Next(64, 5000);
                return (seed.ContentType, Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth)), "deep nesting");
            default:
                if (!seed.IsJson)
                {
                    var flipped = seed.Body.ToArray();
                    for (var k = 0; k < 1 + random.Next(8) && flipped.Length > 0; k++)
                    {
                        flipped[random.Next(flipped.Length)] = (byte)random.Next(256);
                    }

                    return (seed.ContentType, flipped, "flipped bytes");
                }

                var node = JsonNode.Parse(seed.Body)!;
                var how = MutateNode(node, random);
                var text = node.ToJsonString();
                if (random.Next(8) == 0)
                {
                    text = text.Replace("5.1", random.Next(2) == 0 ? "NaN" : "1e999", StringComparison.Ordinal);
                    how += ", NaN/overflow literal";
                }

                return (seed.ContentType, Encoding.UTF8.GetBytes(text), how);
        }
    }

    /// <summary>Replaces, removes or adds one value somewhere in the tree.</summary>
    private static string MutateNode(JsonNode root, Random random)
    {
        var containers = new List<JsonNode>();
        void Walk(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    containers.Add(o);
                    foreach (var (_, child) in o.ToArray())
                    {
                        Walk(child);
                    }

                    break;
                case JsonArray a:
                    containers.Add(a);
                    foreach (var child in a.ToArray())
                    {
                        Walk(child);
                    }

                    break;
            }
        }

        Walk(root);
        var target = containers[random.Next(containers.Count)];
        JsonNode? Wrong() => random.Next(10) switch
        {
            0 => null,
            1 => JsonValue.Create(true),
            2 => JsonValue.Create("text"),
            3 => JsonValue.Create(-1),
            4 => JsonValue.Create(long.MaxValue),
            5 => JsonValue.Create(1e300),
            6 => new JsonArray(JsonValue.Create(1), JsonValue.Create("x"), null),
            7 => new JsonObject { ["name"] = 3 },
            8 => new JsonArray(),
            _ => JsonValue.Create(14000),
        };

        switch (target)
        {
            case JsonObject o when o.Count > 0 && random.Next(4) == 0:
                var removed = o.ElementAt(random.Next(o.Count)).Key;
                o.Remove(removed);
                return $"removed '{removed}'";
            case JsonObject o when random.Next(4) == 0:
                o["extra" + random.Next(100)] = Wrong();
                return "extra field";
            case JsonObject o when o.Count > 0:
                var key = o.ElementAt(random.Next(o.Count)).Key;
                o[key] = Wrong();
                return $"'{key}' of the wrong kind";
            case JsonArray a when a.Count > 0:
                var index = random.Next(a.Count);
                a[index] = Wrong();
                return $"element {index} of the wrong kind";
            case JsonArray a:
                a.Add(Wrong());
                return "added element";
            default:
                return "unchanged";
        }
    }

    private static byte[] Truncate(byte[] body, Random random) => body.Length == 0 ? body : body[..random.Next(body.Length)];

    private static string Preview(byte[] body) => body.Length <= 300 ? Encoding.UTF8.GetString(body) : Encoding.UTF8.GetString(body, 0, 300) + "…";
}
