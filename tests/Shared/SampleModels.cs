using Microsoft.ML.OnnxRuntime;
using Stratus.Core.Models;
using Stratus.Serving.Onnx;

namespace Stratus.Tests.Fixtures;

/// <summary>The shipped demo ONNX models loaded straight into ONNX Runtime.</summary>
public static class SampleModels
{
    public static LoadedModel Load(string sample, int version = 1, long? sizeBytes = null)
    {
        var path = TestPaths.SampleModel(sample);
        var session = new InferenceSession(path);
        return new LoadedModel(Record(sample, session, sizeBytes ?? new FileInfo(path).Length, version), session);
    }

    /// <summary>The version record an upload of <paramref name="onnx"/> as <paramref name="model"/> would register.</summary>
    public static ModelVersion Record(string model, byte[] onnx, int version = 1)
    {
        using var session = new InferenceSession(onnx);
        return Record(model, session, onnx.Length, version);
    }

    private static ModelVersion Record(string model, InferenceSession session, long sizeBytes, int version) => new()
    {
        Model = model,
        Version = version,
        ArtifactPath = $"{model}/{version}/model.onnx",
        Sha256 = "",
        SizeBytes = sizeBytes,
        Signature = OnnxModelInspector.ReadSignature(session),
        Lineage = new Lineage { Source = Lineage.UploadSource },
    };
}
