// The umbrella module: `import SegAD` gives every layer above the detectors.
// Code that needs only one concern imports that module instead:
// SegADCore (manifest, artifacts, file I/O), SegADFigures (raster figures),
// SegADMethod (maps, segmentation, features, BRF, scores, report tables),
// SegADDeploy (saved pipelines, scoring new images), SegADDatasets
// (ELPV, VisA, VAD builders and the classifier). See docs/architecture.md.
@_exported import SegADCore
@_exported import SegADFigures
@_exported import SegADMethod
@_exported import SegADDeploy
@_exported import SegADDatasets
