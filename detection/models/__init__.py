"""The run-time models behind one interface: each built from its manifest entry and asked with `predict`.

One module per model, each ending in its registry line (`garment_detector = register(...)`):
calling that loads the file once, lazily, after its sha256 is checked (detection/registry.py).
`predict` takes the photo (a product's photos, for the two that read them together) first and returns
typed results, never raw tensors:

| module | registry name | predict(...) returns |
| --- | --- | --- |
| garments | garment_detector | list[Box]: garments and people |
| person_boxes | person_boxes | list[Box]: COCO's 80 classes, to check who is a person |
| pose | pose_detector, pose_landmarks | list[Person]; Pose or None for one person |
| faces | face_detector | list[Face] |
| gender | gender_classifier | GenderGuess of a person's figure |
| face_gender | face_gender_cydral, face_gender_agegender | GenderGuess of a face |
| segmentation | person_segmentation | PersonMask over a box |
| garment_names | garment_namer | GarmentReading: ImageNet classes and the article type |
| article_types | article_classifier | ArticleGuess of a product's photos |
| product_views | view_classifier | list[ViewGuess], one per photo of a product |
| embedder | embedder | the garment's unit vector |

Complete the look's model is registered too but lives in embeddings/compatibility.py: it reads no
photo, only features stored with the products, and scores them. The geometry the wrappers share
(boxes, crops, pose landmarks, SSD anchors) and the LiteRT seam (`detection/litert.py`) stay beside
this folder. Wrappers that training evaluates on prepared batches also expose that batch
(`embed_batch`, `probabilities`).
"""
