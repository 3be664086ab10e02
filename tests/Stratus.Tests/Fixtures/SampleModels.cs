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
        var record = new ModelVersion
        {
            Model = sample,
            Version = version,
            ArtifactPath = $"{sample}/{version}/model.onnx",
            Sha256 = "",
            SizeBytes = sizeBytes ?? new FileInfo(path).Length,
            Signature = OnnxModelInspector.ReadSignature(session),
            Lineage = new Lineage { Source = Lineage.UploadSource },
        };
        return new LoadedModel(record, session);
    }
}
